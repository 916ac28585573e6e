#!/usr/bin/env bash
# Point-in-time restore from the pgBackRest repository into a new data directory, started as a
# standalone PostgreSQL 15 that is promoted at the target: the drill of deploy/README.md
# ("Backups"). It never touches the running cluster.
#
#   deploy/restore-pitr.sh --target '2026-12-07 02:30:00.123+00' --to /tmp/restored [--port 5650]
#   deploy/restore-pitr.sh --to /tmp/restored --stop      stop it and delete the directory
#
# --target: a timestamp with time zone; recovery stops before the first commit after it.
# Omit --target for the end of the archived WAL. The repository and stanza come from the cluster's
# pgBackRest configuration (AGRINET_CLUSTER_DIR, default /tmp/agrinet-cluster); production uses
# its own /etc/pgbackrest/pgbackrest.conf (--config).
set -euo pipefail

STATE_DIR="${AGRINET_CLUSTER_DIR:-/tmp/agrinet-cluster}"
bin="${AGRINET_PG_BIN:-/usr/lib/postgresql/15/bin}"
config="$STATE_DIR/conf/pgbackrest-pg1.conf"
target="" dir="" port=5650 stop=0
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --to) dir="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --stop) stop=1; shift ;;
    *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
[ -n "$dir" ] || { echo "restore: --to <directory> is required" >&2; exit 2; }

if [ "$(id -u)" = 0 ]; then
  as_pg() { HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
  owner=postgres
else
  as_pg() { "$@"; }
  owner="$(id -un)"
fi

if [ "$stop" = 1 ]; then
  [ -f "$dir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
  rm -rf "$dir"
  exit 0
fi

[ ! -e "$dir/data" ] || { echo "restore: $dir/data exists" >&2; exit 1; }
started=$(date +%s.%N)
mkdir -p "$dir/data"
chmod 755 "$dir"; chmod 700 "$dir/data"; chown -R "$owner" "$dir"

recovery=(--type=default)
[ -z "$target" ] || recovery=(--type=time "--target=$target" --target-action=promote)
as_pg pgbackrest --config="$config" --stanza=agrinet --log-level-console=warn \
  --pg1-path="$dir/data" "${recovery[@]}" restore
restored=$(date +%s.%N)

# The files are a Patroni node's: its postgresql.conf names that node's port, paths and
# synchronous standbys. The restored server is on its own: its port and paths, no archiving
# (it must not write into the cluster's archive), no synchronous standby to wait for.
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgresql.log" -w -t 600 -o "-p $port \
  -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c archive_mode=off \
  -c synchronous_standby_names= -c hba_file=$dir/data/pg_hba.conf -c ident_file=$dir/data/pg_ident.conf \
  -c hot_standby=on" start >/dev/null

# Ready once recovery reached the target and the server was promoted.
until [ "$(as_pg psql -X -A -t -h "$dir" -p "$port" -U postgres -d postgres -c 'select pg_is_in_recovery()' 2>/dev/null)" = f ]; do
  sleep 0.2
done
ready=$(date +%s.%N)
awk -v s="$started" -v r="$restored" -v e="$ready" -v p="$port" \
  'BEGIN { printf "RESTORE_FILES_SECONDS=%.1f\nRESTORE_TOTAL_SECONDS=%.1f\nRESTORED_PORT=%s\n", r - s, e - s, p }'
