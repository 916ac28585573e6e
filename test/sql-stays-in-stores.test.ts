// SQL lives in @agrinet/stores (DEVELOPERS.md, "Where SQL lives"): a domain or app file that
// writes a statement, builds a text array literal or reads a row by position fails here. The
// router is not read: its procedures' `.query(` is tRPC's, and lint keeps pg and Prisma out of it.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const sqlMarks = /\$queryRaw|\$executeRaw|queryTextRows|Prisma\.(sql|raw|join|empty)\b|ArrayLiteral\(|\.query\(|\.query<|\brow\[\d+\]/;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "testing" ? [] : sourceFiles(path);
      return /\.ts$/.test(entry.name) && !/[.-]test\.ts$/.test(entry.name) ? [path] : [];
    }),
  );
  return files.flat();
}

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const checked = ["packages/domain/src", "apps/api/src", "apps/worker/src"];

test("domain and app files write no SQL: statements, literals and row decoders are the stores'", async () => {
  const root = repoRoot;
  const offending: string[] = [];
  const files = (await Promise.all(checked.map((dir) => sourceFiles(join(repoRoot, dir))))).flat();
  for (const file of files) {
    const name = relative(root, file);
    const text = await readFile(file, "utf8");
    const line = text.split("\n").findIndex((l) => sqlMarks.test(l));
    if (line >= 0) offending.push(`${name}:${line + 1}`);
  }
  expect(offending, "move the SQL into the area's module in packages/stores").toEqual([]);
});
