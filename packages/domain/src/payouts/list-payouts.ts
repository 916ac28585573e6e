import type { CurrencyCode } from "@agrinet/core";
import type { Db, Prisma } from "@agrinet/db";
import type { PayoutDestinationType } from "./payout-destination";
import { toPayoutView, type PayoutStatus, type PayoutView } from "./payout-view";

export type ListPayoutsOptions = {
  db: Db;
  filters: {
    userId?: string;
    partnerId?: string;
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
  /** The last id of the previous page (ids are random: pages follow the sort, then id). */
  cursor?: string;
  /** Newest first unless told otherwise; ties broken by id in the same direction. */
  sort?: { by: PayoutSortField; direction: "asc" | "desc" };
};

export const payoutSortFields = ["createdAt", "amount"] as const;
export type PayoutSortField = (typeof payoutSortFields)[number];

/** Newest first (or by amount), keyset-paginated. */
export async function listPayouts(options: ListPayoutsOptions): Promise<{ items: PayoutView[]; nextCursor: string | null }> {
  const { filters } = options;
  const sort = options.sort ?? { by: "createdAt", direction: "desc" };
  const where: Prisma.PayoutWhereInput = {
    ...(filters.userId ? { userId: filters.userId } : {}),
    ...(filters.partnerId ? { partnerId: filters.partnerId } : {}),
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
    orderBy: [{ [sort.by]: sort.direction }, { id: sort.direction }],
    take: options.limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
  });
  const items = rows.slice(0, options.limit).map(toPayoutView);
  return { items, nextCursor: rows.length > options.limit ? items[items.length - 1]!.id : null };
}
