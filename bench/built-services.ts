// Benchmarks measure the services as production runs them: bundled (`pnpm build`), under plain
// node, not through the TypeScript loader used in development. The Daraja sandbox too: it
// shares the cores with what is measured, and under tsx every closure it makes per request
// also gets its name set (esbuild's keepNames).
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const repoRoot = join(import.meta.dirname, "..");

export const builtServices = {
  api: join(repoRoot, "apps/api/dist/server.mjs"),
  worker: join(repoRoot, "apps/worker/dist/main.mjs"),
  sandbox: join(repoRoot, "packages/daraja-sandbox/dist/main.mjs"),
} as const;

/** Bundles the API, the worker and the Daraja sandbox from the current sources. */
export function buildServices(): void {
  for (const service of ["api", "worker", "daraja-sandbox"] as const) {
    execFileSync("pnpm", ["--silent", "--filter", `@agrinet/${service}`, "build"], { cwd: repoRoot, stdio: "inherit" });
  }
}
