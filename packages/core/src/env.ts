import { z } from "zod";

export class EnvError extends Error {
  constructor(readonly issues: Array<{ variable: string; expected: string }>) {
    super(issues.map((i) => `${i.variable}: ${i.expected}`).join("; "));
    this.name = "EnvError";
  }
}

/**
 * Validates an app's environment once, at start. Empty strings count as unset so that a
 * blank line copied from `.env.example` falls back to the default.
 */
export function parseEnv<T extends z.ZodRawShape>(
  shape: T,
  source: Record<string, string | undefined>,
): z.infer<z.ZodObject<T>> {
  const cleaned = Object.fromEntries(
    Object.keys(shape).map((key) => [key, source[key] === "" ? undefined : source[key]]),
  );
  const result = z.object(shape).safeParse(cleaned);
  if (result.success) return result.data;
  throw new EnvError(
    result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? "environment"),
      expected: issue.message,
    })),
  );
}

/** Prints one line naming the bad variable and exits: what every app does at start. */
export function loadEnvOrExit<T extends z.ZodRawShape>(
  app: string,
  shape: T,
  source: Record<string, string | undefined>,
): z.infer<z.ZodObject<T>> {
  try {
    return parseEnv(shape, source);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    for (const issue of error.issues) {
      process.stderr.write(`${app}: invalid environment variable ${issue.variable}: ${issue.expected}\n`);
    }
    process.exit(78); // EX_CONFIG
  }
}

/** Reusable variable shapes, so every app describes the same variable the same way. */
export const envVars = {
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// connection URL")
    .optional(),
  port: (fallback: number) =>
    z.coerce
      .number({ message: "expected a TCP port number" })
      .int("expected a whole number")
      .min(0, "expected a port between 0 and 65535")
      .max(65535, "expected a port between 0 and 65535")
      .default(fallback),
  positiveInt: (fallback: number) =>
    z.coerce
      .number({ message: "expected a whole number" })
      .int("expected a whole number")
      .positive("expected a positive whole number")
      .default(fallback),
  /** A whole number that may be 0 (a delay that can be none). */
  nonNegativeInt: (fallback: number) =>
    z.coerce
      .number({ message: "expected a whole number" })
      .int("expected a whole number")
      .min(0, "expected 0 or more")
      .default(fallback),
  minorUnits: (fallback: bigint) =>
    z
      .string()
      .regex(/^\d+$/, "expected a whole number of minor units (e.g. 1000)")
      .transform((s) => BigInt(s))
      .default(fallback),
  url: z.url({ message: "expected an absolute URL" }),
  logLevel: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "expected one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
};
