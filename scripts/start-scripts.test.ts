import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { apiNodeFlags, apiProcessEnv } from "../apps/api/src/runtime-flags";
import { workerNodeFlags, workerProcessEnv } from "../apps/worker/src/runtime-flags";

// pnpm start and the benchmarks take these from runtime-flags.ts; a package's start script (how a
// deployment runs the bundle) has to spell them out, so it is checked against them.
const apps = [
  { app: "api", nodeFlags: apiNodeFlags, processEnv: apiProcessEnv },
  { app: "worker", nodeFlags: workerNodeFlags, processEnv: workerProcessEnv },
];

describe.each(apps)("the $app package's start script", ({ app, nodeFlags, processEnv }) => {
  const { scripts } = JSON.parse(readFileSync(new URL(`../apps/${app}/package.json`, import.meta.url), "utf8")) as {
    scripts: { start: string };
  };
  const words = scripts.start.split(" ");

  test("runs it with the same V8 flags as pnpm start and the benchmark", () => {
    for (const flag of nodeFlags) expect(words).toContain(flag);
  });

  test("sets the same process environment as pnpm start and the benchmark", () => {
    // Assignments before the command: `NAME=value node …`.
    for (const [name, value] of Object.entries(processEnv)) {
      expect(words.slice(0, words.indexOf("node"))).toContain(`${name}=${value}`);
    }
  });
});
