// Benchmarks measure the services as production runs them: bundled (`pnpm build`), under plain
// node, not through the TypeScript loader used in development.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const repoRoot = join(import.meta.dirname, "..");

export const builtServices = {
  api: join(repoRoot, "apps/api/dist/server.mjs"),
  worker: join(repoRoot, "apps/worker/dist/main.mjs"),
} as const;

/** Bundles the API and the worker from the current sources. */
export function buildServices(): void {
  for (const app of ["api", "worker"] as const) {
    execFileSync("pnpm", ["--silent", "--filter", `@agrinet/${app}`, "build"], { cwd: repoRoot, stdio: "inherit" });
  }
}
