// Commits holds the one way the product does: the SQL function ledger_commit_holds, which
// payouts_settle (settlePayouts) calls for every settled payout. Whole holds only, one ledger
// transaction each; a hold that is not pending refuses the batch (INVALID_STATE). The hold
// lifecycle tests commit through it so they test what settlement runs.
import type { Db } from "@agrinet/db";
import { parseAccountCode } from "../account-codes";
import { toLedgerDomainError } from "../ledger-sql-errors";
import type { LedgerMetadata, LedgerTransactionKind } from "../ledger-types";

export type HoldCommit = { holdId: bigint; idempotencyKey: string; toAccount: string; metadata?: LedgerMetadata };

/** Ledger transaction id and balances after (held account, destination) per item, in order. */
export async function commitHolds(
  db: Db,
  items: HoldCommit[],
  kind: LedgerTransactionKind = "payout_settle",
): Promise<Array<{ transactionId: bigint; balancesAfter: bigint[] }>> {
  const to = items.map((item) => parseAccountCode(item.toAccount));
  try {
    const { rows } = await db.$pool.query<{ transaction_id: string; balances_after: string[] }>(
      `select transaction_id::text, balances_after::text[] from ledger_commit_holds(
         $1::bigint[], $2::text[], $3, $4::jsonb[], $5::text[], $6::text[],
         $7::text[], $8::text[], $9::text[], $10::text[], $11::boolean[]) order by item`,
      [
        items.map((item) => item.holdId.toString()),
        items.map((item) => item.idempotencyKey),
        kind,
        items.map((item) => JSON.stringify(item.metadata ?? {})),
        items.map(() => null),
        items.map((item) => `hash-${item.holdId}`),
        to.map((spec) => spec.code),
        to.map((spec) => spec.ownerType),
        to.map((spec) => spec.ownerId),
        to.map((spec) => spec.purpose),
        to.map((spec) => spec.allowNegative),
      ],
    );
    return rows.map((row) => ({ transactionId: BigInt(row.transaction_id), balancesAfter: row.balances_after.map(BigInt) }));
  } catch (error) {
    throw toLedgerDomainError(error);
  }
}
