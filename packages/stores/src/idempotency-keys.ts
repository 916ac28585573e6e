import type { Db } from "@agrinet/db";

/* The Idempotency-Key records' SQL (the REST bridge's and tRPC mutations' claims). */

export type IdempotencyKeyClaim = { id: bigint; lockedAt: Date };

/**
 * Claims `key` in one statement: a new key, an expired one, or one abandoned (still unanswered
 * after `abandonedAfterSeconds`) by a request with the same fingerprint becomes the caller's.
 * Null when the existing row is someone else's to answer (the caller reads it to decide).
 */
export async function claimIdempotencyKeyRow(
  db: Db,
  claim: {
    scope: string;
    key: string;
    fingerprint: string;
    method: string;
    path: string;
    retentionHours: number;
    abandonedAfterSeconds: number;
  },
): Promise<IdempotencyKeyClaim | null> {
  const rows = await db.$queryRaw<IdempotencyKeyClaim[]>`
    insert into idempotency_keys (scope, key, request_fingerprint, method, path, locked_at, expires_at)
    values (${claim.scope}, ${claim.key}, ${claim.fingerprint}, ${claim.method}, ${claim.path}, now(),
            now() + make_interval(hours => ${claim.retentionHours}))
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
           and idempotency_keys.locked_at < now() - make_interval(secs => ${claim.abandonedAfterSeconds}))
    returning id, locked_at as "lockedAt"`;
  return rows[0] ?? null;
}
