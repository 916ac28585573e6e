// `pnpm start` in this package (or the root launcher) runs the sandbox as its own process.
import { loadSandboxEnv } from "./env";
import { startDarajaSandbox } from "./sandbox-server";

const env = loadSandboxEnv();
const sandbox = await startDarajaSandbox({
  port: env.DARAJA_SANDBOX_PORT,
  slowCallbackDelayMs: env.DARAJA_SANDBOX_SLOW_CALLBACK_MS,
  stkPinDelayMs: env.DARAJA_SANDBOX_STK_PIN_DELAY_MS,
  ...(env.DARAJA_SANDBOX_STK_PASSKEY ? { stkPasskey: env.DARAJA_SANDBOX_STK_PASSKEY } : {}),
  log: (line) => process.stdout.write(`[daraja-sandbox] ${line}\n`),
});
process.stdout.write(`[daraja-sandbox] listening on ${sandbox.url}\n`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void sandbox.stop().then(() => process.exit(0));
  });
}
