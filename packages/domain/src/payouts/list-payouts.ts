import type { CurrencyCode } from "@agrinet/core";
import type { Db, Prisma } from "@agrinet/db";
import type { PayoutDestinationType } from "./payout-destination";
import { toPayoutView, type PayoutStatus, type PayoutView } from "./payout-view";

export type ListPayoutsOptions = {
  db: Db;
  filters: {
    userId?: string;
    status?: PayoutStatus;
    currency?: CurrencyCode;
    destinationType?: PayoutDestinationType;
    batchId?: string;
    /** Created at or after. */
    from?: Date;
    /** Created before. */
    to?: Date;
  };
  limit: number;
  /** The last id of the previous page (ids are random: pages follow creation time, then id). */
  cursor?: string;
};

/** Newest first, keyset-paginated. */
export async function listPayouts(options: ListPayoutsOptions): Promise<{ items: PayoutView[]; nextCursor: string | null }> {
  const { filters } = options;
  const where: Prisma.PayoutWhereInput = {
    ...(filters.userId ? { userId: filters.userId } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.currency ? { currency: filters.currency } : {}),
    ...(filters.destinationType ? { destinationType: filters.destinationType } : {}),
    ...(filters.batchId ? { batchId: filters.batchId } : {}),
    ...(filters.from || filters.to
      ? { createdAt: { ...(filters.from ? { gte: filters.from } : {}), ...(filters.to ? { lt: filters.to } : {}) } }
      : {}),
  };
  const rows = await options.db.payout.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
  });
  const items = rows.slice(0, options.limit).map(toPayoutView);
  return { items, nextCursor: rows.length > options.limit ? items[items.length - 1]!.id : null };
}
