import { z } from "zod";

// The admin's only reader of process.env. Server-side only (the proxy); the browser talks to
// its own origin and never needs the API's address.
const schema = z.object({
  API_URL: z
    .url({ message: "expected an absolute URL such as http://127.0.0.1:4000" })
    .default("http://127.0.0.1:4000"),
});

function load() {
  const raw = process.env.API_URL;
  const result = schema.safeParse({ API_URL: raw === "" ? undefined : raw });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // One line naming the variable, like every other app; Next keeps running the pages.
  throw new Error(`admin: invalid environment variable ${String(issue?.path[0])}: ${issue?.message}`);
}

export const env = load();
