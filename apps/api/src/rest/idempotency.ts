import { createHash } from "node:crypto";
import { assertStorableInput, DomainError, type ErrorCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import type { Principal } from "@agrinet/router";
import { claimIdempotencyKeyRow } from "@agrinet/stores/idempotency-keys";

/** How long a stored response is replayed (Stripe keeps keys for 24 hours). */
export const idempotencyRetentionHours = 24;
/**
 * A key still marked in progress after this long belongs to a request that died (the process
 * was killed mid-request; Fastify's request timeout is 30 s), so a retry may take it over.
 */
export const abandonedAfterSeconds = 120;

/**
 * Our claim on a key: the row and the moment we locked it. A claim taken over later (abandoned)
 * keeps the row's id but gets a new `lockedAt`, so writes fenced on both never touch a claim
 * that is no longer ours.
 */
export type OwnedClaim = { id: bigint; lockedAt: Date };

export type IdempotencyClaim =
  | ({ kind: "owner" } & OwnedClaim)
  | { kind: "replay"; status: number; body: string };

/** Keys are per partner (shared by its keys) or per user, so two partners can both use "order-1". */
export function idempotencyScope(principal: Principal): string {
  return principal.kind === "partner" ? `partner:${principal.partnerId}` : `${principal.kind}:${principal.userId}`;
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
    const claimed = await claimIdempotencyKeyRow(db, {
      scope,
      key,
      fingerprint,
      method,
      path,
      retentionHours: idempotencyRetentionHours,
      abandonedAfterSeconds,
    });
    if (claimed) return { kind: "owner", ...claimed };

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

/** Stores the answer for replays; false when the claim is no longer ours (taken over or expired). */
export async function storeIdempotentResponse(db: Db, claim: OwnedClaim, status: number, body: string): Promise<boolean> {
  const { count } = await db.idempotencyKey.updateMany({
    where: { id: claim.id, lockedAt: claim.lockedAt, responseStatus: null },
    data: { responseStatus: status, responseBody: body },
  });
  return count === 1;
}

/**
 * A request that failed with a 5xx changed nothing (its transaction rolled back), so the key is
 * freed and a retry runs again rather than replaying the failure.
 */
export async function releaseIdempotencyKey(db: Db, claim: OwnedClaim): Promise<void> {
  await db.idempotencyKey.deleteMany({ where: { id: claim.id, lockedAt: claim.lockedAt, responseStatus: null } });
}

/** What a finished request leaves on its key: the answer to replay, or nothing (a 5xx: run again). */
export type IdempotencyOutcome = { kind: "store"; status: number; body: string } | { kind: "release" };

type PendingOutcome = { claim: OwnedClaim; outcome: IdempotencyOutcome; timer?: NodeJS.Timeout; attempts: number };

const retryDelaysMs = [100, 250, 500, 1_000, 2_000];

/**
 * Writes each request's outcome to its key, and keeps the outcomes it could not write (the
 * database unavailable: the very failure that made the request answer 503) until they are written.
 * Without this a key whose release failed stayed "in progress", and every retry got
 * IDEMPOTENCY_KEY_IN_USE until the claim counted as abandoned two minutes later.
 *
 * A retry that reaches this process writes the pending outcome first (`settle`), then claims as
 * usual; other processes see the key freed (or answered) as soon as the background retry gets
 * through. Either way the claim itself stays the one atomic statement, so two concurrent retries
 * still produce one effect. Writes are fenced on the claim (`OwnedClaim`): a late write never
 * frees or answers a key that someone else has taken over meanwhile.
 */
export function createIdempotencyOutcomes(db: Db, log: { error: (details: object, message: string) => void }) {
  const pending = new Map<string, PendingOutcome>();
  const pendingKey = (scope: string, key: string) => `${scope}\n${key}`;

  async function write(entry: PendingOutcome): Promise<void> {
    if (entry.outcome.kind === "release") await releaseIdempotencyKey(db, entry.claim);
    else await storeIdempotentResponse(db, entry.claim, entry.outcome.status, entry.outcome.body);
  }

  function retryLater(id: string, entry: PendingOutcome) {
    const abandonedAt = entry.claim.lockedAt.getTime() + abandonedAfterSeconds * 1_000;
    const delay = retryDelaysMs[Math.min(entry.attempts, retryDelaysMs.length - 1)]!;
    // Past the abandonment time any retry takes the key over anyway.
    if (Date.now() + delay > abandonedAt) {
      if (pending.get(id) === entry) pending.delete(id);
      return;
    }
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (pending.get(id) !== entry) return;
      entry.attempts += 1;
      write(entry).then(
        () => {
          if (pending.get(id) === entry) pending.delete(id);
        },
        () => retryLater(id, entry),
      );
    }, delay);
    entry.timer.unref();
  }

  return {
    /** Records a finished request's outcome; never throws (the request's answer stands). */
    async record(scope: string, key: string, claim: OwnedClaim, outcome: IdempotencyOutcome): Promise<void> {
      const entry: PendingOutcome = { claim, outcome, attempts: 0 };
      try {
        await write(entry);
      } catch (error) {
        log.error({ err: error, outcome: outcome.kind }, "could not record the Idempotency-Key's outcome; retrying");
        const id = pendingKey(scope, key);
        const previous = pending.get(id);
        if (previous?.timer) clearTimeout(previous.timer);
        pending.set(id, entry);
        retryLater(id, entry);
      }
    },

    /** Before claiming `key`: writes the outcome this process still owes it. Throws if it cannot. */
    async settle(scope: string, key: string): Promise<void> {
      const id = pendingKey(scope, key);
      const entry = pending.get(id);
      if (!entry) return;
      await write(entry);
      if (pending.get(id) === entry) {
        if (entry.timer) clearTimeout(entry.timer);
        pending.delete(id);
      }
    },

    /** On shutdown: one last attempt at each pending outcome, then no more timers. */
    async close(): Promise<void> {
      const entries = [...pending.values()];
      pending.clear();
      for (const entry of entries) if (entry.timer) clearTimeout(entry.timer);
      await Promise.allSettled(entries.map(write));
    },
  };
}

/**
 * Answers that mean the operation never began executing: nothing to replay, so the key is freed
 * and a corrected retry with the same key runs (Stripe saves a result only once the endpoint
 * started executing). Everything else that is not a 5xx (a decline, insufficient funds, a
 * conflict) is the operation's answer and is replayed.
 */
const notExecuted = new Set<ErrorCode>([
  "VALIDATION_FAILED",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "RATE_LIMITED",
]);

export type IdempotentRun = {
  /** Records the answer (or frees the key); never throws: the answer stands whatever happens here. */
  finish(status: number, body: string, errorCode: ErrorCode | undefined): Promise<void>;
};

export type IdempotentStart = { kind: "replay"; status: number; body: string } | { kind: "run"; run: IdempotentRun };

/**
 * `Idempotency-Key` for any POST, whatever the transport (REST bridge, tRPC): one table, one
 * claim, one rule for what is stored. Keys are per caller; a caller without credentials has no
 * scope to keep a key in (anonymous callers must not see each other's answers), so its key is
 * ignored and the request runs as if it had none.
 */
export function createIdempotentRequests(db: Db, log: { error: (details: object, message: string) => void }) {
  const outcomes = createIdempotencyOutcomes(db, log);
  return {
    async start(request: {
      principal: Principal | null;
      key: string;
      method: string;
      url: string;
      body: unknown;
    }): Promise<IdempotentStart | null> {
      validateIdempotencyKey(request.key);
      if (!request.principal) return null;
      // A body PostgreSQL cannot store (NUL, nesting past the cap) is refused before it is
      // fingerprinted: the procedure would refuse it anyway, and the fingerprint walks it whole.
      assertStorableInput(request.body);
      const scope = idempotencyScope(request.principal);
      const { key } = request;
      await outcomes.settle(scope, key);
      const claimed = await claimIdempotencyKey(db, {
        scope,
        key,
        fingerprint: requestFingerprint(request.method, request.url, request.body),
        method: request.method,
        path: request.url.slice(0, 2000),
      });
      if (claimed.kind === "replay") return claimed;
      const claim: OwnedClaim = { id: claimed.id, lockedAt: claimed.lockedAt };
      return {
        kind: "run",
        run: {
          finish: (status, body, errorCode) =>
            outcomes.record(
              scope,
              key,
              claim,
              status >= 500 || (errorCode !== undefined && notExecuted.has(errorCode))
                ? { kind: "release" }
                : { kind: "store", status, body },
            ),
        },
      };
    },
    close: () => outcomes.close(),
  };
}

/** The one header value of `Idempotency-Key`, or undefined; repeated headers are joined (and then refused). */
export function idempotencyKeyHeader(header: string | string[] | undefined): string | undefined {
  return header === undefined ? undefined : Array.isArray(header) ? header.join(",") : header;
}
