#!/usr/bin/env bash
# `pnpm test:pg15`: the migrations and the ledger's integration tests on Debian's PostgreSQL 15,
# the version the Patroni cluster runs (the embedded default is 18). Starts a throwaway 15 on
# 127.0.0.1:${AGRINET_PG15_PORT:-5640}, points the tests' global setup at it through
# DATABASE_URL, and removes it afterwards. Extra arguments go to vitest (other test files).
# Needs: apt-get install postgresql-15. As root the server runs as the `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=/usr/lib/postgresql/15/bin
port="${AGRINET_PG15_PORT:-5640}"
[ -x "$bin/postgres" ] || { echo "pg15: apt-get install postgresql-15" >&2; exit 1; }

dir="$(mktemp -d /tmp/agrinet-pg15-XXXXXX)"
chmod 755 "$dir"
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_pg() { HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
else
  as_pg() { "$@"; }
fi
stop() {
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

printf 'postgres\n' >"$dir/pw" && chmod 600 "$dir/pw" && [ "$(id -u)" != 0 ] || chown postgres "$dir/pw"
as_pg "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pw" -A scram-sha-256 -E UTF8 \
  --locale=C.UTF-8 >/dev/null
# Throwaway test server: no durability, as the embedded test server.
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -c listen_addresses=127.0.0.1 \
  -c unix_socket_directories=$dir -c max_connections=400 -c fsync=off -c synchronous_commit=off \
  -c full_page_writes=off" start >/dev/null

export DATABASE_URL="postgresql://postgres:postgres@127.0.0.1:$port/postgres"
echo "[pg15] $("$bin/postgres" --version) on 127.0.0.1:$port"
if [ $# -gt 0 ]; then
  npx vitest run --project integration "$@"
else
  npx vitest run --project integration packages/db packages/domain/src/ledger
fi
