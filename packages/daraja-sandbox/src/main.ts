// `pnpm start` in this package (or the root launcher) runs the sandbox as its own process.
import { startDarajaSandbox } from "./sandbox-server";

function portFromEnv(): number {
  const raw = process.env.DARAJA_SANDBOX_PORT ?? "4010";
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`DARAJA_SANDBOX_PORT must be a port number (0-65535), got "${raw}"\n`);
    process.exit(1);
  }
  return port;
}

const slowCallbackDelayMs = Number(process.env.DARAJA_SANDBOX_SLOW_CALLBACK_MS ?? "3000");
const sandbox = await startDarajaSandbox({
  port: portFromEnv(),
  slowCallbackDelayMs: Number.isFinite(slowCallbackDelayMs) ? slowCallbackDelayMs : 3000,
  log: (line) => process.stdout.write(`[daraja-sandbox] ${line}\n`),
});
process.stdout.write(`[daraja-sandbox] listening on ${sandbox.url}\n`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void sandbox.stop().then(() => process.exit(0));
  });
}
