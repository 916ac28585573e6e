import type { Tx } from "@agrinet/db";

/** Who acted: "staff:<userId>", "partner:<keyId>", "user:<userId>" or "system:<name>". */
export type AuditActor = string;

export type AuditEntry = {
  actor: AuditActor;
  /** Dotted verb, e.g. auth.key.created, deposit.confirmed. */
  action: string;
  /** What was acted on, e.g. "api_key:<id>", "deposit:<id>". */
  target?: string | null;
  ip?: string | null;
  metadata?: Record<string, unknown>;
};

/**
 * Appends an audit row in the caller's transaction, so the record exists exactly when the
 * change it describes committed. Never put secrets (keys, passwords) in metadata.
 */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<bigint> {
  const row = await tx.auditLog.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      ip: entry.ip ?? null,
      metadata: JSON.parse(
        JSON.stringify(entry.metadata ?? {}, (_key, value) =>
          typeof value === "bigint" ? value.toString() : value,
        ),
      ),
    },
    select: { id: true },
  });
  return row.id;
}
