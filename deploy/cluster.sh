#!/usr/bin/env bash
# The production PostgreSQL topology of deploy/README.md on one machine, on loopback ports: one
# etcd member, three Patroni nodes running Debian's PostgreSQL 15 (a primary, a synchronous
# standby, an asynchronous replica), HAProxy in front, pgBackRest archiving the primary's WAL.
# The same templates (deploy/cluster/*.template) configure one node per machine in production.
#
#   deploy/cluster.sh up            start everything, wait for a primary and a synchronous standby,
#                                   create the `agrinet` database, take a full base backup
#   deploy/cluster.sh env           print DATABASE_URL (HAProxy write port) and friends
#   deploy/cluster.sh status        patronictl list
#   deploy/cluster.sh leader        the current primary's node name
#   deploy/cluster.sh kill-primary  kill -9 the primary's postmaster (the failover drill)
#   deploy/cluster.sh backup [full|incr|diff]   a pgBackRest backup from the primary
#   deploy/cluster.sh down          stop everything and delete the cluster's files
#
# Needs: apt-get install patroni etcd-server haproxy postgresql-15 pgbackrest (deploy/README.md).
# Runs as root (PostgreSQL, Patroni, etcd and HAProxy then run as the `postgres` user) or as an
# ordinary user (they run as that user). Settings (environment):
#   AGRINET_CLUSTER_DIR        where data, configs and logs live (/tmp/agrinet-cluster)
#   AGRINET_CLUSTER_PORT_BASE  first of the 50 ports used (5600): etcd +0/+1, Patroni REST
#                              +11..+13, PostgreSQL +21..+23, HAProxy write +30, read +31, stats +32
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
STATE_DIR="${AGRINET_CLUSTER_DIR:-/tmp/agrinet-cluster}"
base="${AGRINET_CLUSTER_PORT_BASE:-5600}"
host=127.0.0.1
export CLUSTER_NAME=agrinet
export PG_BIN="${AGRINET_PG_BIN:-/usr/lib/postgresql/15/bin}"
nodes=(pg1 pg2 pg3)

etcd_client_port=$((base + 0))
etcd_peer_port=$((base + 1))
patroni_port() { echo $((base + 10 + ${1#pg})); }
pg_port() { echo $((base + 20 + ${1#pg})); }
write_port=$((base + 30))
read_port=$((base + 31))
stats_port=$((base + 32))

if [ "$(id -u)" = 0 ]; then
  run_user=postgres
  as_pg() { HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
else
  run_user="$(id -un)"
  as_pg() { "$@"; }
fi

log() { printf '[cluster] %s\n' "$*" >&2; }
starting=0
die() {
  log "$*"
  # A failed start stops what it started and keeps the files (logs) for a look.
  if [ "$starting" = 1 ]; then starting=0; AGRINET_CLUSTER_KEEP=1 cmd_down; fi
  exit 1
}

require_packages() {
  local missing=()
  [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
  command -v patroni >/dev/null || missing+=(patroni)
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v pgbackrest >/dev/null || missing+=(pgbackrest)
  [ ${#missing[@]} = 0 ] || die "missing Debian packages: apt-get install ${missing[*]}"
}

# Substitutes ${VAR} from the environment; a variable left unset is an error, not an empty string.
render() {
  local template="$1" out="$2"
  perl -pe 's/\$\{(\w+)\}/defined $ENV{$1} ? $ENV{$1} : die "deploy: ${1} is not set in $ARGV\n"/ge' \
    "$template" >"$out"
}

secret() {
  local file="$STATE_DIR/secrets/$1"
  [ -s "$file" ] || head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$file"
  cat "$file"
}

wait_for() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "timed out after ${seconds}s waiting for $what (logs: $STATE_DIR/log)"
    sleep 0.5
  done
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

# Started as a simple command (no function or subshell in between) so that $! is the process
# itself and `down` can signal it.
start_bg() {
  local name="$1"; shift
  if [ "$run_user" = postgres ]; then
    HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups -- "$@" \
      >>"$STATE_DIR/log/$name.out" 2>&1 &
  else
    "$@" >>"$STATE_DIR/log/$name.out" 2>&1 &
  fi
  echo $! >"$STATE_DIR/run/$name.pid"
}

node_env() {
  local node="$1"
  export NODE_NAME="$node" NODE_HOST="$host" PATRONI_PORT="$(patroni_port "$node")"
  export PG_PORT="$(pg_port "$node")" PG_DATA="$STATE_DIR/$node/data" SOCKET_DIR="$STATE_DIR/$node"
  export BACKREST_CONFIG_FILE="$STATE_DIR/conf/pgbackrest-$node.conf"
}

configure() {
  mkdir -p "$STATE_DIR"/{conf,log,run,secrets,backup-repo}
  chmod 700 "$STATE_DIR/secrets"
  export STATE_DIR LOG_DIR="$STATE_DIR/log" BACKUP_REPO_PATH="$STATE_DIR/backup-repo"
  export SUPERUSER_PASSWORD="$(secret superuser)" REPLICATION_PASSWORD="$(secret replication)"
  export REWIND_PASSWORD="$(secret rewind)"
  secret app >/dev/null
  export ETCD_HOSTS="$host:$etcd_client_port" CLIENT_CIDR="$host/32" MAX_CONNECTIONS=500
  export SYNCHRONOUS_MODE_STRICT=true

  export ETCD_NAME=etcd1 ETCD_DATA="$STATE_DIR/etcd" ETCD_HOST="$host"
  export ETCD_CLIENT_PORT="$etcd_client_port" ETCD_PEER_PORT="$etcd_peer_port"
  export ETCD_INITIAL_CLUSTER="etcd1=http://$host:$etcd_peer_port"
  render "$here/cluster/etcd.conf.yml.template" "$STATE_DIR/conf/etcd.conf.yml"

  local write_servers="" read_servers=""
  for node in "${nodes[@]}"; do
    node_env "$node"
    mkdir -p "$STATE_DIR/$node"
    render "$here/cluster/patroni.yml.template" "$STATE_DIR/conf/patroni-$node.yml"
    render "$here/cluster/pgbackrest.conf.template" "$BACKREST_CONFIG_FILE"
    write_servers+="  server $node $host:$PG_PORT check port $PATRONI_PORT"$'\n'
    read_servers+="  server $node $host:$PG_PORT check port $PATRONI_PORT"$'\n'
  done
  export HAPROXY_HOST="$host" HAPROXY_WRITE_PORT="$write_port" HAPROXY_READ_PORT="$read_port"
  export HAPROXY_STATS_PORT="$stats_port" HAPROXY_WRITE_SERVERS="$write_servers"
  export HAPROXY_READ_SERVERS="$read_servers"
  render "$here/cluster/haproxy.cfg.template" "$STATE_DIR/conf/haproxy.cfg"
  haproxy -c -q -f "$STATE_DIR/conf/haproxy.cfg"

  chmod 755 "$STATE_DIR"
  chown -R "$run_user" "$STATE_DIR"
  chmod 600 "$STATE_DIR"/conf/*
}

leader() {
  for node in "${nodes[@]}"; do
    if http_ok "http://$host:$(patroni_port "$node")/primary"; then echo "$node"; return 0; fi
  done
  return 1
}

has_sync_standby() {
  for node in "${nodes[@]}"; do
    http_ok "http://$host:$(patroni_port "$node")/sync" && return 0
  done
  return 1
}

psql_leader() {
  local node; node="$(leader)" || die "no primary"
  node_env "$node"
  as_pg psql -X -v ON_ERROR_STOP=1 -q -h "$SOCKET_DIR" -p "$PG_PORT" -U postgres "$@"
}

pgbackrest_leader() {
  local node; node="$(leader)" || die "no primary"
  node_env "$node"
  as_pg pgbackrest --config="$BACKREST_CONFIG_FILE" --stanza="$CLUSTER_NAME" "$@"
}

print_env() {
  local app superuser
  app="$(cat "$STATE_DIR/secrets/app")"
  superuser="$(cat "$STATE_DIR/secrets/superuser")"
  echo "DATABASE_URL=postgresql://agrinet:$app@$host:$write_port/agrinet"
  echo "DATABASE_READ_URL=postgresql://agrinet:$app@$host:$read_port/agrinet"
  echo "CLUSTER_ADMIN_URL=postgresql://postgres:$superuser@$host:$write_port/postgres"
  echo "CLUSTER_DIR=$STATE_DIR"
  echo "HAPROXY_STATS_URL=http://$host:$stats_port/"
}

cmd_up() {
  require_packages
  [ ! -e "$STATE_DIR/run/etcd.pid" ] || die "already running in $STATE_DIR (deploy/cluster.sh down first)"
  starting=1
  configure
  log "etcd on $host:$etcd_client_port"
  start_bg etcd etcd --config-file "$STATE_DIR/conf/etcd.conf.yml"
  wait_for etcd 30 http_ok "http://$host:$etcd_client_port/health"

  # pg1 initialises the cluster; the others clone it with pg_basebackup once it is primary.
  for node in "${nodes[@]}"; do
    start_bg "patroni-$node" patroni "$STATE_DIR/conf/patroni-$node.yml"
    if [ "$node" = pg1 ]; then
      log "waiting for pg1 to initialise and become primary"
      wait_for "a primary" 300 leader
    fi
  done
  log "HAProxy: writes on $host:$write_port, reads on $host:$read_port"
  start_bg haproxy haproxy -db -f "$STATE_DIR/conf/haproxy.cfg"
  log "waiting for both replicas to stream and one to be the synchronous standby"
  wait_for "replicas" 300 bash -c "curl -fsS http://$host:$(patroni_port pg2)/replica >/dev/null && curl -fsS http://$host:$(patroni_port pg3)/replica >/dev/null"
  wait_for "a synchronous standby" 120 has_sync_standby

  local app; app="$(cat "$STATE_DIR/secrets/app")"
  psql_leader -d postgres <<SQL
do \$\$ begin
  if not exists (select from pg_roles where rolname = 'agrinet') then
    create role agrinet login createdb password '$app';
  end if;
end \$\$;
select 'create database agrinet owner agrinet' where not exists (select from pg_database where datname = 'agrinet') \gexec
SQL

  log "pgBackRest: stanza and a full base backup"
  pgbackrest_leader --log-level-console=warn stanza-create
  pgbackrest_leader --log-level-console=warn check
  pgbackrest_leader --log-level-console=warn --type=full backup
  starting=0
  log "up"
  print_env
}

# Alive and not a zombie (an exited child of a `cluster.sh up` that has not been reaped yet).
running() {
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

stop_pidfile() {
  local file="$1" signal="${2:-TERM}" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if running "$pid"; then
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do running "$pid" || break; sleep 0.5; done
    if running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$file"
}

cmd_down() {
  [ -d "$STATE_DIR" ] || { log "nothing in $STATE_DIR"; return 0; }
  stop_pidfile "$STATE_DIR/run/haproxy.pid"
  # Replicas first, so the primary does not wait on a synchronous standby that is going away.
  for node in pg3 pg2 pg1; do stop_pidfile "$STATE_DIR/run/patroni-$node.pid"; done
  # A postmaster left behind (its Patroni killed) is stopped through its own pid file.
  for node in "${nodes[@]}"; do
    local pidfile="$STATE_DIR/$node/data/postmaster.pid" pid
    if [ -f "$pidfile" ]; then
      pid="$(head -1 "$pidfile")"
      kill -0 "$pid" 2>/dev/null && { kill -QUIT "$pid" 2>/dev/null || true; sleep 1; }
    fi
  done
  stop_pidfile "$STATE_DIR/run/etcd.pid"
  if [ "${AGRINET_CLUSTER_KEEP:-0}" = 1 ]; then
    log "stopped; files kept in $STATE_DIR"
  else
    rm -rf "$STATE_DIR"
    log "stopped and removed $STATE_DIR"
  fi
}

cmd_kill_primary() {
  local node pid
  node="$(leader)" || die "no primary to kill"
  pid="$(head -1 "$STATE_DIR/$node/data/postmaster.pid")"
  kill -KILL "$pid"
  log "killed the postmaster of $node (pid $pid)"
  echo "$node"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env) print_env ;;
  status) as_pg patronictl -c "$STATE_DIR/conf/patroni-pg1.yml" list ;;
  leader) leader ;;
  kill-primary) cmd_kill_primary ;;
  backup) pgbackrest_leader --log-level-console=warn --type="${2:-incr}" backup ;;
  pgbackrest) shift; pgbackrest_leader "$@" ;;
  psql) shift; psql_leader "$@" ;;
  *) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
