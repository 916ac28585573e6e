import { envVars, loadEnvOrExit } from "@agrinet/core";
import { z } from "zod";

/** The sandbox process's settings, validated once at start. */
export function loadSandboxEnv() {
  return loadEnvOrExit(
    "daraja-sandbox",
    {
      DARAJA_SANDBOX_PORT: envVars.port(4010),
      DARAJA_SANDBOX_SLOW_CALLBACK_MS: envVars.positiveInt(3000),
      /**
       * How long an STK customer takes to type the PIN: the prompt is "awaiting PIN" meanwhile.
       * 0 (benchmarks) pays at once: the callback leaves with the push's answer.
       */
      DARAJA_SANDBOX_STK_PIN_DELAY_MS: envVars.nonNegativeInt(1500),
      /** When set, STK passwords must be base64(shortcode + this passkey + timestamp), as Daraja checks. */
      DARAJA_SANDBOX_STK_PASSKEY: z.string().min(1).optional(),
    },
    process.env,
  );
}
