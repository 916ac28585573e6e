import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { apiNodeFlags, apiProcessEnv } from "./runtime-flags";

test("the package's start script runs the API with the same V8 flags as pnpm start and the benchmark", () => {
  const { scripts } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: { start: string } };
  for (const flag of apiNodeFlags) expect(scripts.start.split(" ")).toContain(flag);
});

test("the package's start script sets the same process environment as pnpm start and the benchmark", () => {
  const { scripts } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: { start: string } };
  const words = scripts.start.split(" ");
  for (const [name, value] of Object.entries(apiProcessEnv)) {
    // Assignments before the command: `NAME=value node …`.
    expect(words.slice(0, words.indexOf("node"))).toContain(`${name}=${value}`);
  }
});
