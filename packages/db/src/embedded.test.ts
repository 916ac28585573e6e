import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

test("a process that loaded the embedded PostgreSQL module keeps its failure exit code", () => {
  const embedded = fileURLToPath(new URL("./embedded.ts", import.meta.url));
  // What a test runner does after failed tests: set the code and let the event loop drain.
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", `await import(${JSON.stringify(embedded)}); process.exitCode = 3;`],
    { encoding: "utf8", timeout: 60_000 },
  );
  expect(child.stderr).toBe("");
  expect(child.status).toBe(3);
});
