import type { Tx } from "@agrinet/db";

/** A confirmed deposit's ledger credit, as the deposit row keeps it. */
export type DepositCreditIds = { id: string; transactionId: string; entryIds: string[] };

/**
 * Writes each confirmed deposit's ledger transaction and posting ids, one statement for a batch
 * of confirmations; answers the rows' new updated_at (the transaction's time, the same for all).
 */
export async function recordDepositCredits(tx: Tx, credits: DepositCreditIds[]): Promise<Date | undefined> {
  const [written] = await tx.$queryRaw<Array<{ updatedAt: Date | null }>>`
    with written as (
      update deposits d
      set ledger_transaction_id = v."transactionId", ledger_entry_ids = v."entryIds", updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(credits)}::jsonb) as v(id text, "transactionId" text, "entryIds" text[])
      where d.id = v.id
      returning d.updated_at
    )
    select max(updated_at) as "updatedAt" from written`;
  return written?.updatedAt ?? undefined;
}
