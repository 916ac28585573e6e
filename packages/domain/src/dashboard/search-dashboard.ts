import type { Db } from "@agrinet/db";

export type SearchHit = {
  kind: "deposit" | "payout" | "contract" | "ledger_transaction" | "user";
  id: string;
  /** What matched: "id", "reference", "user id". */
  matched: string;
  amount: string | null;
  currency: string | null;
  status: string | null;
  userId: string | null;
  createdAt: Date | null;
};

const maxQueryLength = 200;

/**
 * The dashboard's search box: one exact term looked up as a deposit id or reference (an M-Pesa
 * deposit's reference is its receipt), a payout id or reference, a contract id, a ledger
 * transaction id, or a user id. Every lookup is an equality on a primary key, a unique index or
 * the (user_id, created_at) indexes, so its cost does not grow with the tables.
 */
export async function searchDashboard(options: { db: Db; query: string }): Promise<SearchHit[]> {
  const q = options.query.trim();
  if (!q || q.length > maxQueryLength) return [];
  const { db } = options;
  const transactionId = /^\d{1,18}$/.test(q) ? BigInt(q) : null;
  const [deposits, payouts, contract, transaction, depositOfUser, payoutOfUser, contractOfUser] = await Promise.all([
    db.deposit.findMany({
      where: { OR: [{ id: q }, { reference: q }] },
      select: { id: true, reference: true, amount: true, currency: true, status: true, userId: true, createdAt: true },
      take: 2,
    }),
    db.payout.findMany({
      where: { OR: [{ id: q }, { reference: q }] },
      select: { id: true, reference: true, amount: true, currency: true, status: true, userId: true, createdAt: true },
      take: 2,
    }),
    db.contract.findUnique({
      where: { id: q },
      select: { id: true, expectedAmount: true, currency: true, status: true, consumerId: true, createdAt: true },
    }),
    transactionId === null
      ? null
      : db.ledgerTransaction.findUnique({ where: { id: transactionId }, select: { id: true, kind: true, createdAt: true } }),
    db.deposit.findFirst({ where: { userId: q }, select: { userId: true } }),
    db.payout.findFirst({ where: { userId: q }, select: { userId: true } }),
    db.contract.findFirst({ where: { OR: [{ consumerId: q }, { producerId: q }] }, select: { id: true } }),
  ]);
  const hits: SearchHit[] = [];
  if (depositOfUser || payoutOfUser || contractOfUser) {
    hits.push({ kind: "user", id: q, matched: "user id", amount: null, currency: null, status: null, userId: q, createdAt: null });
  }
  for (const deposit of deposits) {
    hits.push({
      kind: "deposit",
      id: deposit.id,
      matched: deposit.id === q ? "id" : "reference",
      amount: deposit.amount.toString(),
      currency: deposit.currency,
      status: deposit.status,
      userId: deposit.userId,
      createdAt: deposit.createdAt,
    });
  }
  for (const payout of payouts) {
    hits.push({
      kind: "payout",
      id: payout.id,
      matched: payout.id === q ? "id" : "reference",
      amount: payout.amount.toString(),
      currency: payout.currency,
      status: payout.status,
      userId: payout.userId,
      createdAt: payout.createdAt,
    });
  }
  if (contract) {
    hits.push({
      kind: "contract",
      id: contract.id,
      matched: "id",
      amount: contract.expectedAmount.toString(),
      currency: contract.currency,
      status: contract.status,
      userId: contract.consumerId,
      createdAt: contract.createdAt,
    });
  }
  if (transaction) {
    hits.push({
      kind: "ledger_transaction",
      id: transaction.id.toString(),
      matched: "id",
      amount: null,
      currency: null,
      status: transaction.kind,
      userId: null,
      createdAt: transaction.createdAt,
    });
  }
  return hits;
}
