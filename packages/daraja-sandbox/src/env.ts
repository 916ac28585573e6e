import { envVars, loadEnvOrExit } from "@agrinet/core";

/** The sandbox process's settings, validated once at start. */
export function loadSandboxEnv() {
  return loadEnvOrExit(
    "daraja-sandbox",
    {
      DARAJA_SANDBOX_PORT: envVars.port(4010),
      DARAJA_SANDBOX_SLOW_CALLBACK_MS: envVars.positiveInt(3000),
      /** How long an STK customer takes to type the PIN: the prompt is "awaiting PIN" meanwhile. */
      DARAJA_SANDBOX_STK_PIN_DELAY_MS: envVars.positiveInt(1500),
    },
    process.env,
  );
}
