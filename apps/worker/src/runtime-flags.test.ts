import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { workerNodeFlags } from "./runtime-flags";

test("the package's start script runs the worker with the same V8 flags as pnpm start and the benchmark", () => {
  const { scripts } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: { start: string } };
  for (const flag of workerNodeFlags) expect(scripts.start.split(" ")).toContain(flag);
});
