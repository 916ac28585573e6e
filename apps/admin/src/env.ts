import { z } from "zod";

// The admin's only reader of process.env. Server-side only (the proxy); the browser talks to
// its own origin and never needs the API's address.
const schema = z.object({
  API_URL: z
    .url({ message: "expected an absolute URL such as http://127.0.0.1:4000" })
    .default("http://127.0.0.1:4000"),
  /**
   * Whether the dashboard sits behind a proxy that sets X-Forwarded-For; otherwise the header a
   * browser sends is dropped before the API sees it (the API trusts it from the dashboard).
   */
  TRUST_FORWARDED_FOR: z.enum(["true", "false"], { message: "expected true or false" }).default("false"),
});

function load() {
  const raw = process.env.API_URL;
  const trust = process.env.TRUST_FORWARDED_FOR;
  const result = schema.safeParse({ API_URL: raw === "" ? undefined : raw, TRUST_FORWARDED_FOR: trust === "" ? undefined : trust });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // One line naming the variable, like every other app; Next keeps running the pages.
  throw new Error(`admin: invalid environment variable ${String(issue?.path[0])}: ${issue?.message}`);
}

export const env = load();
