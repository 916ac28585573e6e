import { DomainError } from "@agrinet/core";
import { parseAccountCode } from "./account-codes";
import { toLedgerDomainError } from "./ledger-sql-errors";
import type {
  LedgerClient,
  LedgerMetadata,
  LedgerTransactionKind,
  PostedLedgerTransaction,
} from "./ledger-types";
import { postingsFromRow, validateLedgerTransaction } from "./post-ledger-transaction";

export type CommitHoldInput = {
  holdId: bigint;
  /** Key of the ledger transaction the commit posts; committing again with it is a no-op. */
  idempotencyKey: string;
  kind: LedgerTransactionKind;
  /** Where the held funds go. */
  toAccount: string;
  /** Defaults to the whole hold; a smaller amount posts that much and releases the rest. */
  amount?: bigint;
  metadata?: LedgerMetadata;
};

/** Posts the held funds from the held account to `toAccount` and releases the reservation. */
export async function commitHold(
  client: LedgerClient,
  input: CommitHoldInput,
): Promise<PostedLedgerTransaction> {
  const to = parseAccountCode(input.toAccount);
  // Validated like any transaction (kind, key, metadata); the amounts are checked by the database
  // against the hold itself.
  const probe = validateLedgerTransaction({
    idempotencyKey: input.idempotencyKey,
    kind: input.kind,
    metadata: input.metadata,
    postings: [
      { account: input.toAccount, amount: -1n, currency: to.currency },
      { account: input.toAccount, amount: 1n, currency: to.currency },
    ],
  });
  if (input.amount !== undefined && input.amount <= 0n) {
    throw new DomainError("VALIDATION_FAILED", "amount must be greater than zero", {
      fields: [{ path: "amount", message: "must be greater than zero" }],
    });
  }
  try {
    const hold = await client.$queryRaw<Array<{ code: string; currency: string; amount: bigint }>>`
      select a.code, h.currency, h.amount from ledger_holds h join ledger_accounts a on a.id = h.account_id
      where h.id = ${input.holdId}`;
    if (!hold[0]) throw new DomainError("NOT_FOUND", `hold ${input.holdId} does not exist`);
    if (hold[0].currency !== to.currency) {
      throw new DomainError("VALIDATION_FAILED", `hold is in ${hold[0].currency}, ${to.code} in ${to.currency}`, {
        fields: [{ path: "toAccount", message: `must be a ${hold[0].currency} account` }],
      });
    }
    const amount = input.amount ?? hold[0].amount;
    const postings = [
      { account: hold[0].code, amount: -amount, currency: to.currency },
      { account: to.code, amount, currency: to.currency },
    ];
    const requestHash = validateLedgerTransaction({ ...probe.input, postings }).requestHash;
    const rows = await client.$queryRaw<
      Array<{
        transaction_id: bigint;
        replayed: boolean;
        created_at: Date;
        posting_ids: bigint[];
        account_ids: bigint[];
        balances_after: bigint[];
      }>
    >`select * from ledger_commit_hold(
        ${input.holdId}::bigint, ${input.idempotencyKey}, ${input.kind},
        ${JSON.stringify(input.metadata ?? {})}::jsonb, ${probe.contractId}, ${requestHash},
        ${input.amount ?? null}::bigint, ${to.code}, ${to.ownerType}, ${to.ownerId}, ${to.purpose},
        ${to.allowNegative})`;
    const row = rows[0]!;
    return postingsFromRow(
      { ...probe.input, postings },
      {
        transactionId: row.transaction_id,
        replayed: row.replayed,
        createdAt: row.created_at,
        postingIds: row.posting_ids,
        accountIds: row.account_ids,
        balancesAfter: row.balances_after,
      },
    );
  } catch (error) {
    throw toLedgerDomainError(error);
  }
}

