import { defineConfig } from "vitest/config";

// `pnpm test:reliability`: the fault and load scenarios of issue 11, one file per scenario.
// Files run one after another: each loads the machine on purpose, and scenario 4 stops its own
// PostgreSQL. RELIABILITY_SCALE (default 1) multiplies every scenario's size.
export default defineConfig({
  test: {
    name: "reliability",
    include: ["apps/*/src/**/*.reliability-test.ts", "packages/*/src/**/*.reliability-test.ts"],
    globalSetup: ["test/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 180_000,
  },
});
