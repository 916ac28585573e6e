// Runs `prisma generate` offline. The CLI insists on finding its schema-engine binary at start
// even though generation never uses it; where the binary is missing (no internet to download
// it), point the CLI at a stand-in file so generation proceeds.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const prismaDir = dirname(require.resolve("prisma/package.json"));
const hasEngine = readdirSync(prismaDir).some((f) => f.startsWith("schema-engine"));

const env: NodeJS.ProcessEnv = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!hasEngine && !env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}

const schema = join(root, "prisma/schema.prisma");
if (!existsSync(schema)) throw new Error(`schema not found at ${schema}`);
const result = spawnSync(
  process.execPath,
  [join(prismaDir, "build/index.js"), "generate", "--schema", schema],
  { stdio: "inherit", env, cwd: root },
);
process.exit(result.status ?? 1);
