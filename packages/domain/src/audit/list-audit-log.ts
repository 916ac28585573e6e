import type { Db } from "@agrinet/db";

export type ListAuditLogOptions = {
  db: Db;
  actor?: string;
  target?: string;
  action?: string;
  /** Return rows older than this id (cursor from the previous page). */
  beforeId?: bigint;
  limit: number;
};

/** Newest first, keyset-paginated by id. */
export async function listAuditLog(options: ListAuditLogOptions) {
  const rows = await options.db.auditLog.findMany({
    where: {
      actor: options.actor,
      target: options.target,
      action: options.action,
      id: options.beforeId === undefined ? undefined : { lt: options.beforeId },
    },
    orderBy: { id: "desc" },
    take: options.limit + 1,
  });
  const page = rows.slice(0, options.limit);
  return {
    entries: page,
    nextBeforeId: rows.length > options.limit ? page[page.length - 1]!.id : null,
  };
}
