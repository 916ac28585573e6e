import { validationError } from "@agrinet/core";
import type { Db, Deposit, Prisma } from "@agrinet/db";
import type { ListDepositsInput } from "@agrinet/schemas";

export type ListDepositsOptions = {
  db: Db;
  filter: ListDepositsInput;
  /** An end user's list is always restricted to their own deposits. */
  onlyUserId?: string | undefined;
};

export type DepositPage = { items: Deposit[]; nextCursor: string | null };

function encodeCursor(deposit: Pick<Deposit, "createdAt" | "id">): string {
  return Buffer.from(`${deposit.createdAt.toISOString()}|${deposit.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (!id || Number.isNaN(createdAt.getTime())) {
    throw validationError([{ path: "cursor", message: "is not a cursor this list returned" }]);
  }
  return { createdAt, id };
}

/**
 * Newest first, keyset-paginated on (created_at, id) so a page costs the same however deep it
 * is and rows inserted meanwhile neither repeat nor vanish.
 */
export async function listDeposits(options: ListDepositsOptions): Promise<DepositPage> {
  const { filter } = options;
  const and: Prisma.DepositWhereInput[] = [];
  if (options.onlyUserId !== undefined) and.push({ userId: options.onlyUserId });
  if (filter.userId) and.push({ userId: filter.userId });
  if (filter.partnerId) and.push({ partnerId: filter.partnerId });
  if (filter.status) and.push({ status: filter.status });
  if (filter.method) and.push({ method: filter.method });
  if (filter.currency) and.push({ currency: filter.currency });
  if (filter.from) and.push({ createdAt: { gte: filter.from } });
  if (filter.to) and.push({ createdAt: { lt: filter.to } });
  if (filter.search) {
    and.push({
      OR: [{ reference: { contains: filter.search, mode: "insensitive" } }, { userId: filter.search }],
    });
  }
  if (filter.cursor) {
    const after = decodeCursor(filter.cursor);
    and.push({
      OR: [
        { createdAt: { lt: after.createdAt } },
        { createdAt: after.createdAt, id: { lt: after.id } },
      ],
    });
  }
  const rows = await options.db.deposit.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: filter.limit + 1,
    include: { mpesaPayment: true },
  });
  const items = rows.slice(0, filter.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null };
}
