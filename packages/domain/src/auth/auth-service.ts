import { AsyncLocalStorage } from "node:async_hooks";
import { isDatabaseUnavailable } from "@agrinet/core";

/**
 * What the domain asks of the authentication server (better-auth, configured by the API in
 * `apps/api/src/auth/create-auth.ts`): the staff session behind a request's cookies, and whether
 * a presented partner key is live.
 */
export type Auth = {
  api: {
    getSession(options: { headers: Headers }): Promise<{ user: { id: string; email: string } } | null>;
    verifyApiKey(options: { body: { key: string } }): Promise<{
      valid: boolean;
      key: { id: string; name: string | null; permissions?: unknown } | null;
    }>;
  };
};

/** Header names a partner key may come in; `Authorization: Bearer` is read by the transport. */
export const apiKeyHeader = "x-api-key";
export const partnerKeyPrefix = "agp_";

/**
 * better-auth's verifyApiKey answers "invalid key" for any failure, a lost database included,
 * and only logs the cause. Inside `catchingDatabaseFailures`, a logged database failure is kept
 * here (`noteAuthLog`, the auth server's logger) so the caller can answer 503 instead of 401.
 */
const databaseFailures = new AsyncLocalStorage<{ failure?: unknown }>();

export async function catchingDatabaseFailures<T>(run: () => Promise<T>): Promise<{ result: T; databaseFailure: unknown }> {
  const slot: { failure?: unknown } = {};
  const result = await databaseFailures.run(slot, run);
  return { result, databaseFailure: slot.failure };
}

/** The auth server's logger calls this with every message it logs. */
export function noteAuthLog(level: string, args: unknown[]): void {
  const slot = databaseFailures.getStore();
  if (slot && level === "error" && !slot.failure) slot.failure = args.find(isDatabaseUnavailable);
}
