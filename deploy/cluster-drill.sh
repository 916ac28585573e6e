#!/usr/bin/env bash
# `pnpm test:failover` and `pnpm test:restore`: brings up the Patroni cluster (deploy/cluster.sh)
# on loopback ports, runs the scenarios that need it (apps/api/src/reliability/*.failover-test.ts,
# or those the arguments name) against HAProxy's write port, and takes the cluster down again
# whatever happened. Each scenario prints its counts and timings as a `[reliability] ...` line.
set -euo pipefail
cd "$(dirname "$0")/.."
export AGRINET_CLUSTER_DIR="${AGRINET_CLUSTER_DIR:-/tmp/agrinet-cluster-drill}"
trap 'deploy/cluster.sh down' EXIT
deploy/cluster.sh up >/dev/null
eval "$(deploy/cluster.sh env | sed 's/^/export /')"
deploy/cluster.sh status
npx vitest run --config vitest.failover.config.ts "$@"
deploy/cluster.sh status
