#!/usr/bin/env bash
# `pnpm test:failover`: brings up the Patroni cluster (deploy/cluster.sh) on loopback ports, runs
# the failover scenario (apps/api/src/reliability/*.failover-test.ts) against HAProxy's write
# port, and takes the cluster down again whatever happened. Prints the scenario's counts and the
# measured write gap as a `[reliability] failover ...` line.
set -euo pipefail
cd "$(dirname "$0")/.."
export AGRINET_CLUSTER_DIR="${AGRINET_CLUSTER_DIR:-/tmp/agrinet-cluster-drill}"
trap 'deploy/cluster.sh down' EXIT
deploy/cluster.sh up >/dev/null
eval "$(deploy/cluster.sh env | sed 's/^/export /')"
deploy/cluster.sh status
npx vitest run --config vitest.failover.config.ts "$@"
deploy/cluster.sh status
