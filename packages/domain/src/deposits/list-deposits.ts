import { validationError } from "@agrinet/core";
import type { Db, Deposit, Prisma } from "@agrinet/db";
import { depositStatuses, type DepositSortField, type DepositStatus, type ListDepositsInput } from "@agrinet/schemas";

export type ListDepositsOptions = {
  db: Db;
  filter: ListDepositsInput;
  /** An end user's list is always restricted to their own deposits. */
  onlyUserId?: string | undefined;
};

export type DepositPage = { items: Deposit[]; nextCursor: string | null };

type SortDirection = "asc" | "desc";
type DepositSort = { by: DepositSortField; direction: SortDirection };
type CursorRow = Pick<Deposit, "createdAt" | "id" | "amount" | "status">;
type Cursor = { value: string; createdAt: Date; id: string };

const invalidCursor = () => validationError([{ path: "cursor", message: "is not a cursor this list returned" }]);

/** The cursor names its sort: a page of one order must not continue another. */
function encodeCursor(deposit: CursorRow, sort: DepositSort): string {
  const value = sort.by === "amount" ? deposit.amount.toString() : sort.by === "status" ? deposit.status : "";
  return Buffer.from(JSON.stringify([sort.by, sort.direction, value, deposit.createdAt.toISOString(), deposit.id])).toString("base64url");
}

function decodeCursor(cursor: string, sort: DepositSort): Cursor {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  let parts: unknown;
  try {
    parts = JSON.parse(text);
  } catch {
    // Cursors from before sorting: `createdAt|id`, newest first.
    const [at, id] = text.split("|");
    parts = ["createdAt", "desc", "", at, id];
  }
  if (!Array.isArray(parts) || parts.length !== 5 || !parts.every((part) => typeof part === "string")) throw invalidCursor();
  const [by, direction, value, at, id] = parts as string[];
  if (by !== sort.by || direction !== sort.direction) {
    throw validationError([{ path: "cursor", message: `belongs to the ${by} ${direction} order, not ${sort.by} ${sort.direction}: start again without it` }]);
  }
  const createdAt = new Date(at!);
  const valid =
    !!id &&
    !Number.isNaN(createdAt.getTime()) &&
    (sort.by !== "amount" || /^\d{1,19}$/.test(value!)) &&
    (sort.by !== "status" || (depositStatuses as readonly string[]).includes(value!));
  if (!valid) throw invalidCursor();
  return { value: value!, createdAt, id: id! };
}

/** Rows after the cursor in the sort's order (see `orderOf`). */
function afterCursor(after: Cursor, sort: DepositSort): Prisma.DepositWhereInput {
  const beyond = sort.direction === "desc" ? "lt" : "gt";
  if (sort.by === "createdAt") {
    return { OR: [{ createdAt: { [beyond]: after.createdAt } }, { createdAt: after.createdAt, id: { [beyond]: after.id } }] };
  }
  const newerTiesDone = [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }];
  if (sort.by === "amount") {
    const amount = BigInt(after.value);
    return { OR: [{ amount: { [beyond]: amount } }, ...newerTiesDone.map((tie) => ({ amount, ...tie }))] };
  }
  // PostgreSQL orders an enum by its declaration order, which depositStatuses repeats.
  const status = after.value as DepositStatus;
  const position = depositStatuses.indexOf(status);
  const later = depositStatuses.filter((_, index) => (sort.direction === "asc" ? index > position : index < position));
  return { OR: [{ status: { in: later } }, ...newerTiesDone.map((tie) => ({ status, ...tie }))] };
}

/**
 * By creation time: (created_at, id) in the direction asked. By amount or status: that column in
 * the direction asked, then newest first (an operator sorting by status wants the recent ones of
 * each at the top), on the indexes led by amount and by status.
 */
function orderOf(sort: DepositSort): Prisma.DepositOrderByWithRelationInput[] {
  if (sort.by === "createdAt") return [{ createdAt: sort.direction }, { id: sort.direction }];
  return [{ [sort.by]: sort.direction }, { createdAt: "desc" }, { id: "desc" }];
}

/**
 * Newest first (or by amount or status), keyset-paginated on the sort's columns and id so a page
 * costs the same however deep it is and rows inserted meanwhile neither repeat nor vanish.
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
  const sort: DepositSort = { by: filter.sort ?? "createdAt", direction: filter.direction ?? "desc" };
  if (filter.cursor) and.push(afterCursor(decodeCursor(filter.cursor, sort), sort));
  const rows = await options.db.deposit.findMany({
    where: { AND: and },
    orderBy: orderOf(sort),
    take: filter.limit + 1,
    include: { mpesaPayment: true },
  });
  const items = rows.slice(0, filter.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor(last, sort) : null };
}
