// The real API program (apps/api/src/server.ts) as child processes on one database, for tests
// that need several API processes side by side.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "@agrinet/db/embedded";
import { eventually } from "./payouts-harness";

const apiDir = fileURLToPath(new URL("../..", import.meta.url));

export type ApiProcess = { url: string; child: ChildProcess };

/** `port`: a given one (a restarted API takes its predecessor's), else a free one. */
export async function startApiProcess(env: Record<string, string>, options: { port?: number } = {}): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: apiDir,
    env: {
      ...process.env,
      API_HOST: "127.0.0.1",
      API_PORT: String(port),
      LOG_LEVEL: "fatal",
      RATE_LIMIT_PER_MINUTE: "1000000",
      SSE_HEARTBEAT_SECONDS: "1",
      ...env,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const up = await eventually(
    () => fetch(`${url}/healthz`).then((r) => r.ok, () => false),
    (ok) => ok || child.exitCode !== null,
    // tsx compiles the whole API at start: slow on a busy machine.
    180_000,
  );
  if (!up) throw new Error(`API process ${child.pid} did not start (exit code ${child.exitCode})`);
  return { url, child };
}

export async function stopApiProcesses(processes: ApiProcess[]): Promise<void> {
  await Promise.all(
    processes
      .filter(({ child }) => child.exitCode === null && child.signalCode === null)
      .map(async ({ child }) => {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }),
  );
}
