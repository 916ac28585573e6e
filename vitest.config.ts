import { defineConfig } from "vitest/config";

const sources = ["apps/*/src/**", "packages/*/src/**", "scripts/**", "test/**", "bench/**"];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: sources.map((s) => `${s}/*.test.ts`),
        },
      },
      {
        test: {
          name: "integration",
          include: sources.map((s) => `${s}/*.integration-test.ts`),
          globalSetup: ["test/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
