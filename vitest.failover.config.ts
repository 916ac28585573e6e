import { defineConfig } from "vitest/config";

// `pnpm test:failover` (deploy/failover-drill.sh): scenarios that need the Patroni cluster of
// deploy/cluster.sh, which the drill script starts and stops around this run. No global setup:
// each scenario makes its own database on the cluster.
export default defineConfig({
  test: {
    name: "failover",
    include: ["apps/*/src/**/*.failover-test.ts"],
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 180_000,
  },
});
