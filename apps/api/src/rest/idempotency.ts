import { createHash } from "node:crypto";
import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import type { Principal } from "@agrinet/router";

/** How long a stored response is replayed (Stripe keeps keys for 24 hours). */
export const idempotencyRetentionHours = 24;
/**
 * A key still marked in progress after this long belongs to a request that died (the process
 * was killed mid-request; Fastify's request timeout is 30 s), so a retry may take it over.
 */
export const abandonedAfterSeconds = 120;

export type IdempotencyClaim =
  | { kind: "owner"; id: bigint }
  | { kind: "replay"; status: number; body: string };

/** Keys are per caller, so two partners can both use "order-1". */
export function idempotencyScope(principal: Principal | null): string {
  if (!principal) return "anonymous";
  return principal.kind === "partner" ? `partner:${principal.keyId}` : `${principal.kind}:${principal.userId}`;
}

/** Stable across key order and whitespace, so a retry that re-serialises its JSON still matches. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method} ${url}\n${canonicalJson(body)}`)
    .digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

const keyPattern = /^[\x21-\x7e]{1,255}$/;

export function validateIdempotencyKey(key: string): void {
  if (!keyPattern.test(key)) {
    throw new DomainError("VALIDATION_FAILED", "Idempotency-Key must be 1 to 255 printable ASCII characters", {
      fields: [{ path: "Idempotency-Key", message: "1 to 255 printable ASCII characters, no spaces" }],
    });
  }
}

/**
 * Claims `key` for this request in one statement: a new key, an expired one, or one abandoned by
 * a dead request with the same body becomes ours. Otherwise the existing row decides: another
 * body → IDEMPOTENCY_KEY_REUSED; still running → IDEMPOTENCY_KEY_IN_USE (retry shortly);
 * finished → replay its stored response.
 */
export async function claimIdempotencyKey(
  db: Db,
  options: { scope: string; key: string; fingerprint: string; method: string; path: string },
): Promise<IdempotencyClaim> {
  const { scope, key, fingerprint, method, path } = options;
  for (let attempt = 0; attempt < 3; attempt++) {
    const claimed = await db.$queryRaw<{ id: bigint }[]>`
      insert into idempotency_keys (scope, key, request_fingerprint, method, path, locked_at, expires_at)
      values (${scope}, ${key}, ${fingerprint}, ${method}, ${path}, now(),
              now() + make_interval(hours => ${idempotencyRetentionHours}))
      on conflict (scope, key) do update set
        request_fingerprint = excluded.request_fingerprint,
        method = excluded.method,
        path = excluded.path,
        response_status = null,
        response_body = null,
        locked_at = now(),
        created_at = now(),
        expires_at = excluded.expires_at
      where idempotency_keys.expires_at < now()
         or (idempotency_keys.response_status is null
             and idempotency_keys.request_fingerprint = excluded.request_fingerprint
             and idempotency_keys.locked_at < now() - make_interval(secs => ${abandonedAfterSeconds}))
      returning id`;
    if (claimed[0]) return { kind: "owner", id: claimed[0].id };

    const existing = await db.idempotencyKey.findUnique({ where: { scope_key: { scope, key } } });
    if (!existing) continue; // released between the two statements: claim again
    if (existing.requestFingerprint !== fingerprint) {
      throw new DomainError(
        "IDEMPOTENCY_KEY_REUSED",
        "this Idempotency-Key was already used with a different request; use a new key",
        { fields: [{ path: "Idempotency-Key", message: "already used with a different request" }] },
      );
    }
    if (existing.responseStatus === null || existing.responseBody === null) {
      throw new DomainError(
        "IDEMPOTENCY_KEY_IN_USE",
        "a request with this Idempotency-Key is still being processed; retry shortly",
      );
    }
    return { kind: "replay", status: existing.responseStatus, body: existing.responseBody };
  }
  throw new DomainError("IDEMPOTENCY_KEY_IN_USE", "Idempotency-Key is busy; retry shortly");
}

export async function storeIdempotentResponse(db: Db, id: bigint, status: number, body: string) {
  await db.idempotencyKey.update({ where: { id }, data: { responseStatus: status, responseBody: body } });
}

/**
 * A request that failed with a 5xx changed nothing (its transaction rolled back), so the key is
 * freed and a retry runs again rather than replaying the failure.
 */
export async function releaseIdempotencyKey(db: Db, id: bigint) {
  await db.idempotencyKey.deleteMany({ where: { id, responseStatus: null } });
}
