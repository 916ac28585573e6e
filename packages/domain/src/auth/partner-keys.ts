import { createHash, randomUUID } from "node:crypto";
import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { defaultKeyHasher } from "@better-auth/api-key";
import { generateRandomString } from "better-auth/crypto";
import { recordAudit, type AuditActor } from "../audit/record-audit";
import { defaultPartnerId, requirePartner } from "../tenancy/partners";
import { catchingDatabaseFailures, partnerKeyPrefix, type Auth } from "./auth-service";

/** Long enough that a hash lookup is as good as a password check (no stretching needed). */
const generatedKeyLength = 48;
const minimumProvidedKeyLength = 32;

export type PartnerKeySummary = {
  id: string;
  name: string;
  /** First characters of the key, to recognise it in a list; the rest is never stored. */
  start: string | null;
  scopes: string[];
  enabled: boolean;
  lastUsedAt: Date | null;
  createdAt: Date;
  revokedAt: Date | null;
  createdBy: string;
  /** The partner the key acts for. */
  partnerId: string;
};

type ApiKeyRow = {
  id: string;
  name: string | null;
  start: string | null;
  permissions: string | null;
  enabled: boolean;
  lastRequest: Date | null;
  createdAt: Date;
  revokedAt: Date | null;
  referenceId: string;
  partnerId: string;
};

export function scopesOfPermissions(permissions: unknown): string[] {
  const parsed = typeof permissions === "string" ? safeParse(permissions) : permissions;
  const scopes = (parsed as { scopes?: unknown } | null)?.scopes;
  return Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === "string") : [];
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function summarize(row: ApiKeyRow): PartnerKeySummary {
  return {
    id: row.id,
    name: row.name ?? "",
    start: row.start,
    scopes: scopesOfPermissions(row.permissions),
    enabled: row.enabled,
    lastUsedAt: row.lastRequest,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    createdBy: row.referenceId,
    partnerId: row.partnerId,
  };
}

export type CreatePartnerKeyOptions = {
  db: Db;
  name: string;
  scopes: string[];
  actor: AuditActor;
  ip?: string | null;
  /**
   * A key chosen by the caller (the seed's fixed dev key). When a key with this value already
   * exists it is returned unchanged, so seeding twice is harmless. Omit to generate one.
   */
  key?: string;
  /** The partner the key acts for (default: the default partner, which holds pre-tenancy data). */
  partnerId?: string;
};

/**
 * Creates a partner key: only its hash (the api-key plugin's hasher, so the plugin verifies it)
 * is stored, with the audit row in the same transaction. The plain key is returned once.
 */
export async function createPartnerKey(
  options: CreatePartnerKeyOptions,
): Promise<PartnerKeySummary & { key: string; created: boolean }> {
  const name = options.name.trim();
  if (!name) throw new DomainError("VALIDATION_FAILED", "name: required", { fields: [{ path: "name", message: "required" }] });
  if (options.key !== undefined && options.key.length < minimumProvidedKeyLength) {
    throw new DomainError("VALIDATION_FAILED", `key: at least ${minimumProvidedKeyLength} characters`, {
      fields: [{ path: "key", message: `at least ${minimumProvidedKeyLength} characters` }],
    });
  }
  const key = options.key ?? `${partnerKeyPrefix}${generateRandomString(generatedKeyLength, "a-z", "A-Z", "0-9")}`;
  const hashed = await defaultKeyHasher(key);
  const scopes = [...new Set(options.scopes)].sort();
  const partnerId = options.partnerId ?? defaultPartnerId;
  await requirePartner(options.db, partnerId);

  return options.db.$transaction(async (tx) => {
    const existing = await tx.apiKey.findUnique({ where: { key: hashed } });
    if (existing) return { ...summarize(existing), key, created: false };
    const row = await tx.apiKey.create({
      data: {
        id: randomUUID(),
        name,
        start: key.slice(0, partnerKeyPrefix.length + 4),
        prefix: key.startsWith(partnerKeyPrefix) ? partnerKeyPrefix : null,
        key: hashed,
        referenceId: options.actor,
        partnerId,
        enabled: true,
        rateLimitEnabled: false,
        permissions: JSON.stringify({ scopes }),
      },
    });
    await recordAudit(tx, {
      actor: options.actor,
      action: "auth.key.created",
      target: `api_key:${row.id}`,
      ip: options.ip,
      metadata: { name, scopes, partnerId },
    });
    return { ...summarize(row), key, created: true };
  });
}

export type RevokePartnerKeyOptions = {
  db: Db;
  keyId: string;
  actor: AuditActor;
  ip?: string | null;
};

/** Disables a key for good; revoking an already revoked key changes nothing. */
export async function revokePartnerKey(options: RevokePartnerKeyOptions): Promise<PartnerKeySummary> {
  const revoked = await options.db.$transaction(async (tx) => {
    const row = await tx.apiKey.findUnique({ where: { id: options.keyId } });
    if (!row) throw new DomainError("NOT_FOUND", `no API key ${options.keyId}`, { fields: [{ path: "keyId", message: "not found" }] });
    if (row.revokedAt) return summarize(row);
    const revoked = await tx.apiKey.update({
      where: { id: row.id },
      data: { enabled: false, revokedAt: new Date() },
    });
    await recordAudit(tx, {
      actor: options.actor,
      action: "auth.key.revoked",
      target: `api_key:${row.id}`,
      ip: options.ip,
      metadata: { name: row.name },
    });
    return summarize(revoked);
  });
  forgetVerifiedKey(revoked.id);
  return revoked;
}

export async function listPartnerKeys(options: {
  db: Db;
  includeRevoked?: boolean;
  partnerId?: string;
}): Promise<PartnerKeySummary[]> {
  const rows = await options.db.apiKey.findMany({
    where: { ...(options.includeRevoked ? {} : { revokedAt: null }), ...(options.partnerId ? { partnerId: options.partnerId } : {}) },
    orderBy: { createdAt: "desc" },
  });
  return rows.map(summarize);
}

export type AuthenticatedPartner = { keyId: string; name: string; scopes: string[]; partnerId: string };

/**
 * How long a verified key is trusted without asking the database again. Verifying stamps the
 * key's last-used time, an UPDATE of one row: with every request of a partner updating the same
 * row, requests would queue behind each other's commits. Revoking through this process forgets
 * the key at once; other API processes stop accepting it within this time.
 */
export const verifiedKeyTtlMs = 5_000;

type VerifiedKey = { partner: AuthenticatedPartner; until: number };
const verifiedKeys = new Map<string, VerifiedKey>();
const maxVerifiedKeys = 1_000;

// The map holds a digest, never the key itself.
const digestOf = (key: string) => createHash("sha256").update(key).digest("base64url");

// Bumped by each revocation: a verification that was in flight across one is not remembered.
let revocations = 0;

function forgetVerifiedKey(keyId: string) {
  revocations++;
  for (const [digest, entry] of verifiedKeys) if (entry.partner.keyId === keyId) verifiedKeys.delete(digest);
}

/**
 * Checks a presented key with the api-key plugin (hash lookup, enabled, expiry; it also stamps
 * the last-used time), at most once per `verifiedKeyTtlMs` per key. Null for anything that is
 * not a live key; a rejected key is never remembered, so a key created a moment ago works at once.
 */
export async function authenticatePartnerKey(options: {
  auth: Auth;
  db: Db;
  key: string;
}): Promise<AuthenticatedPartner | null> {
  if (!options.key) return null;
  const digest = digestOf(options.key);
  const remembered = verifiedKeys.get(digest);
  if (remembered && remembered.until > Date.now()) return remembered.partner;

  // When the trust runs out under load, every request in flight would verify at once, each an
  // UPDATE of the same row queued behind the others' commits: the first one verifies, the rest wait
  // for its answer.
  const inFlight = verifications.get(digest);
  if (inFlight) return inFlight;
  const verification = verifyPartnerKey(options.auth, options.db, options.key, digest).finally(() => verifications.delete(digest));
  verifications.set(digest, verification);
  return verification;
}

const verifications = new Map<string, Promise<AuthenticatedPartner | null>>();

async function verifyPartnerKey(auth: Auth, db: Db, key: string, digest: string): Promise<AuthenticatedPartner | null> {
  const revocationsBefore = revocations;
  const { result, databaseFailure } = await catchingDatabaseFailures(() => auth.api.verifyApiKey({ body: { key } }));
  if (databaseFailure) {
    throw new DomainError("SERVICE_UNAVAILABLE", "the database is unavailable; retry later", { cause: databaseFailure });
  }
  if (!result.valid || !result.key) {
    verifiedKeys.delete(digest);
    return null;
  }
  // The plugin knows nothing of partners: the key's partner is read beside it (and remembered with it).
  const owner = await db.apiKey.findUnique({ where: { id: result.key.id }, select: { partnerId: true } });
  if (!owner) return null;
  const partner = {
    keyId: result.key.id,
    name: result.key.name ?? "",
    scopes: scopesOfPermissions(result.key.permissions),
    partnerId: owner.partnerId,
  };
  if (revocations !== revocationsBefore) return partner;
  if (verifiedKeys.size >= maxVerifiedKeys) verifiedKeys.clear();
  verifiedKeys.set(digest, { partner, until: Date.now() + verifiedKeyTtlMs });
  return partner;
}
