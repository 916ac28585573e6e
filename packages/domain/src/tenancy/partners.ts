import { DomainError, randomHex, type CurrencyCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import {
  findPartner,
  homePartnerOfKnownUser,
  insertPartner,
  insertShare,
  listPartners as listPartnerRows,
  payoutsUsedToday,
  updatePartnerDailyPayoutCaps,
  type PartnerRow,
} from "@agrinet/stores/tenancy";
import { recordAudit, type AuditActor } from "../audit/record-audit";

export { defaultPartnerId } from "@agrinet/stores/tenancy";
export type Partner = PartnerRow & { payoutLimits: PartnerPayoutLimit[] };

/** PARTNER_DAILY_PAYOUT_CAP: the caps of partners staff have not set their own for. */
export type DailyPayoutCaps = Partial<Record<CurrencyCode, bigint>>;

/** A partner's daily payout cap in one currency and what its payouts took of it today (UTC). */
export type PartnerPayoutLimit = {
  currency: string;
  /** null: no cap. */
  cap: bigint | null;
  /** The partner's own cap (staff set it), the setting's default, or none. */
  source: "partner" | "default" | "none";
  usedToday: bigint;
  /** null: no cap. */
  remainingToday: bigint | null;
};

function payoutLimitsOf(partner: PartnerRow, defaults: DailyPayoutCaps, used: Map<string, bigint>): PartnerPayoutLimit[] {
  const currencies = new Set([...Object.keys(defaults), ...Object.keys(partner.dailyPayoutCaps), ...used.keys()]);
  return [...currencies].sort().map((currency) => {
    const own = partner.dailyPayoutCaps[currency];
    const fallback = defaults[currency as CurrencyCode];
    const cap = own ?? fallback ?? null;
    const usedToday = used.get(currency) ?? 0n;
    return {
      currency,
      cap,
      source: own !== undefined ? "partner" : fallback !== undefined ? "default" : "none",
      usedToday,
      remainingToday: cap === null ? null : cap > usedToday ? cap - usedToday : 0n,
    };
  });
}

async function withPayoutLimits(db: Db, partners: PartnerRow[], defaults: DailyPayoutCaps, partnerId?: string): Promise<Partner[]> {
  const used = new Map<string, Map<string, bigint>>();
  for (const row of await payoutsUsedToday(db.$pool, partnerId)) {
    if (!used.has(row.partnerId)) used.set(row.partnerId, new Map());
    used.get(row.partnerId)!.set(row.currency, row.used);
  }
  return partners.map((partner) => ({ ...partner, payoutLimits: payoutLimitsOf(partner, defaults, used.get(partner.id) ?? new Map()) }));
}

/** Creates a partner (the tenant its keys, users and records belong to), audited. */
export async function createPartner(options: {
  db: Db;
  name: string;
  actor: AuditActor;
  ip?: string | null;
  defaultDailyPayoutCaps?: DailyPayoutCaps;
}): Promise<Partner> {
  const name = options.name.trim();
  if (!name) throw new DomainError("VALIDATION_FAILED", "name: required", { fields: [{ path: "name", message: "required" }] });
  return options.db.$transaction(async (tx) => {
    const id = `partner_${randomHex(8)}`;
    const partner = await insertPartner(tx, { id, name, createdBy: options.actor });
    await recordAudit(tx, { actor: options.actor, action: "partner.created", target: `partner:${id}`, ip: options.ip, metadata: { name } });
    return { ...partner, payoutLimits: payoutLimitsOf(partner, options.defaultDailyPayoutCaps ?? {}, new Map()) };
  });
}

/** Every partner, with its daily payout caps and what its payouts took of them today. */
export async function listPartners(options: { db: Db; defaultDailyPayoutCaps?: DailyPayoutCaps }): Promise<Partner[]> {
  return withPayoutLimits(options.db, await listPartnerRows(options.db.$pool), options.defaultDailyPayoutCaps ?? {});
}

/**
 * Staff set a partner's own daily payout cap per currency (a cap of 0 stops its payouts in that
 * currency), or remove it (null) so PARTNER_DAILY_PAYOUT_CAP applies again; audited. Payouts
 * created from then on are held to it, today's already created count.
 */
export async function updatePartnerLimits(options: {
  db: Db;
  partnerId: string;
  dailyPayoutCaps: Array<{ currency: CurrencyCode; cap: bigint | null }>;
  defaultDailyPayoutCaps?: DailyPayoutCaps;
  actor: AuditActor;
  ip?: string | null;
}): Promise<Partner> {
  const seen = new Set<string>();
  options.dailyPayoutCaps.forEach((entry, index) => {
    if (seen.has(entry.currency)) {
      throw new DomainError("VALIDATION_FAILED", `dailyPayoutCaps: ${entry.currency} given twice`, {
        fields: [{ path: `dailyPayoutCaps.${index}.currency`, message: "each currency once" }],
      });
    }
    seen.add(entry.currency);
  });
  const updated = await updatePartnerDailyPayoutCaps(options.db.$pool, options.partnerId, options.dailyPayoutCaps, {
    actor: options.actor,
    ip: options.ip ?? null,
  });
  if (!updated) throw new DomainError("NOT_FOUND", `no partner ${options.partnerId}`, { fields: [{ path: "partnerId", message: "no such partner" }] });
  const [partner] = await withPayoutLimits(options.db, [updated], options.defaultDailyPayoutCaps ?? {}, updated.id);
  return partner!;
}

/** The partner, or NOT_FOUND naming the field. */
export async function requirePartner(db: Db, partnerId: string, path = "partnerId"): Promise<{ id: string; name: string }> {
  const partner = await findPartner(db.$pool, partnerId);
  if (!partner) throw new DomainError("NOT_FOUND", `no partner ${partnerId}`, { fields: [{ path, message: "no such partner" }] });
  return partner;
}

/**
 * Lets another partner reach a user (their wallet, transactions, notifications): the one way a
 * user is shared, a staff action recorded in the audit log.
 */
export async function shareUserWithPartner(options: {
  db: Db;
  partnerId: string;
  userId: string;
  actor: AuditActor;
  ip?: string | null;
}): Promise<{ partnerId: string; userId: string; shared: boolean }> {
  await requirePartner(options.db, options.partnerId);
  return options.db.$transaction(async (tx) => {
    const homePartnerId = await homePartnerOfKnownUser(tx, options.userId);
    if (!homePartnerId) throw new DomainError("NOT_FOUND", `no user ${options.userId}`, { fields: [{ path: "userId", message: "no such user" }] });
    if (homePartnerId === options.partnerId) return { partnerId: options.partnerId, userId: options.userId, shared: false };
    const shared = await insertShare(tx, { partnerId: options.partnerId, userId: options.userId, createdBy: options.actor });
    if (shared) {
      await recordAudit(tx, {
        actor: options.actor,
        action: "partner.user_shared",
        target: `user:${options.userId}`,
        ip: options.ip,
        metadata: { partnerId: options.partnerId, homePartnerId },
      });
    }
    return { partnerId: options.partnerId, userId: options.userId, shared };
  });
}
