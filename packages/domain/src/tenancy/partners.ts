import { DomainError, randomHex } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import {
  findPartner,
  homePartnerOfKnownUser,
  insertPartner,
  insertShare,
  listPartners as listPartnerRows,
  type PartnerRow,
} from "@agrinet/stores/tenancy";
import { recordAudit, type AuditActor } from "../audit/record-audit";

export { defaultPartnerId } from "@agrinet/stores/tenancy";
export type Partner = PartnerRow;

/** Creates a partner (the tenant its keys, users and records belong to), audited. */
export async function createPartner(options: { db: Db; name: string; actor: AuditActor; ip?: string | null }): Promise<Partner> {
  const name = options.name.trim();
  if (!name) throw new DomainError("VALIDATION_FAILED", "name: required", { fields: [{ path: "name", message: "required" }] });
  return options.db.$transaction(async (tx) => {
    const id = `partner_${randomHex(8)}`;
    const partner = await insertPartner(tx, { id, name, createdBy: options.actor });
    await recordAudit(tx, { actor: options.actor, action: "partner.created", target: `partner:${id}`, ip: options.ip, metadata: { name } });
    return partner;
  });
}

export async function listPartners(options: { db: Db }): Promise<Partner[]> {
  return listPartnerRows(options.db.$pool);
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
