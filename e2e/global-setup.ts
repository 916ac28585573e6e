// Starts the whole product for the browser tests with `scripts/start.ts` (what `pnpm start`
// runs), on spare ports and a throwaway data directory, so a developer's .data/ and running
// services are never touched. Returns the teardown.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const repoRoot = join(import.meta.dirname, "..");
const startupTimeoutMs = 10 * 60_000; // a cold `next build` is part of the start, on a shared machine

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return response.ok;
  } catch {
    return false;
  }
}

export default async function globalSetup() {
  const [apiPort, adminPort, sandboxPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), "agrinet-e2e-"));
  const verbose = process.env.E2E_VERBOSE === "1";
  const recent: string[] = [];

  const stack = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      // Empty counts as unset: always the embedded database under the throwaway DATA_DIR, even
      // when the developer's shell or .env names another one.
      DATABASE_URL: "",
      DATA_DIR: dataDir,
      API_PORT: String(apiPort),
      ADMIN_PORT: String(adminPort),
      // Its own Daraja sandbox too: another stack (a developer's `pnpm start`) may hold 4010.
      DARAJA_SANDBOX_PORT: String(sandboxPort),
      API_URL: `http://127.0.0.1:${apiPort}`,
      SEED_DEMO_DATA: "true",
      // Every test signs its role in afresh, so the suite signs the seeded admin in more often
      // than a person would within a minute; the per-account limit is tested in
      // apps/api/src/auth/auth.integration-test.ts.
      SIGN_IN_MAX_ATTEMPTS: "100",
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
      TURBO_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [stack.stdout, stack.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      if (verbose) process.stdout.write(`[e2e stack] ${line}\n`);
      recent.push(line);
      if (recent.length > 200) recent.shift();
    });
  }
  // "close" rather than "exit": it comes after the last output line, which explains a failure.
  const exited = new Promise<number | null>((resolve) => stack.once("close", (code) => resolve(code)));
  let stopped = false;
  void exited.then(() => (stopped = true));

  async function teardown() {
    if (!stopped) {
      stack.kill("SIGTERM"); // the launcher stops its services and PostgreSQL
      const timer = setTimeout(() => stack.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  }

  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const deadline = Date.now() + startupTimeoutMs;
  while (!((await answers(`${apiUrl}/readyz`)) && (await answers(adminUrl)))) {
    if (stopped || Date.now() > deadline) {
      await teardown();
      throw new Error(
        `the e2e stack did not become ready (${stopped ? "launcher exited" : "timed out"}); last output:\n${recent.join("\n")}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }

  // Workers inherit this environment; tests read it through e2e/fixtures.ts.
  process.env.E2E_ADMIN_URL = adminUrl;
  process.env.E2E_API_URL = apiUrl;
  process.env.E2E_SANDBOX_URL = `http://127.0.0.1:${sandboxPort}`;
  return teardown;
}
