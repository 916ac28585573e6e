import { currencyExponent, supportedCurrencies } from "@agrinet/core";
import { booleanFromText, queryTextRows, textArrayLiteral, type Db } from "@agrinet/db";
import { toLedgerDomainError } from "../ledger";
import { createGroupCommit } from "../shared/group-commit";
import type { PayoutStatus } from "./payout-view";

export type PaidPayout = {
  payoutId: string;
  providerReference: string;
  /**
   * Set by M-Pesa's status callback, which settles without reading the payout first: the whole
   * units M-Pesa reported and the error to record when they are not the payout's amount. A final
   * payout is then left as it is (the callback may be a replay), not flagged for reconciliation.
   */
  confirmed?: { wholeUnits: bigint; mismatchError: string };
};
export type MarkPaidResult = {
  status: PayoutStatus;
  changed: boolean;
  /** Only for a `confirmed` item: why it was not settled. */
  refused?: "unknown-payout" | "already-final" | "amount-mismatch";
};

/** payouts_settle compares confirmed whole units with minor units: 10^exponent per currency. */
const currencyFactors = {
  currencies: textArrayLiteral([...supportedCurrencies]),
  factors: textArrayLiteral(supportedCurrencies.map((code) => (10n ** BigInt(currencyExponent(code))).toString())),
};

/**
 * `markPayoutPaid` for many payouts in one statement (the SQL function payouts_settle, one round
 * trip and one transaction on the pool, no Prisma: this runs for every payout), whatever the
 * count: the same checks and effects per payout (each row locked and re-read, only a payout not
 * yet final is settled, its hold committed under the same idempotency key, the same event), and
 * the shared clearing account's balance row updated once per batch.
 */
export async function markPayoutsPaid(db: Db, items: PaidPayout[]): Promise<Map<string, MarkPaidResult>> {
  // A duplicate callback may bring the same payout twice into one batch: the first settles it.
  const unique = new Map<string, PaidPayout>();
  for (const item of items) if (!unique.has(item.payoutId)) unique.set(item.payoutId, item);
  const batch = [...unique.values()];
  // queryTextRows rather than pg's query: every payout passes here (M-Pesa's status callbacks in
  // the API, the status sweeps in the worker), and the rows are four short columns of text.
  let rows;
  try {
    rows = await queryTextRows(db.$pool, {
      name: "payouts-settle",
      text: `select payout_id, status, changed, refused
       from payouts_settle($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[])`,
      values: [
        textArrayLiteral(batch.map((item) => item.payoutId)),
        textArrayLiteral(batch.map((item) => item.providerReference)),
        textArrayLiteral(batch.map((item) => item.confirmed?.wholeUnits.toString() ?? null)),
        textArrayLiteral(batch.map((item) => item.confirmed?.mismatchError ?? null)),
        currencyFactors.currencies,
        currencyFactors.factors,
      ],
    });
  } catch (error) {
    throw toLedgerDomainError(error);
  }
  const results = new Map<string, MarkPaidResult>();
  for (const [payoutId, status, changedText, refused] of rows) {
    const changed = booleanFromText(changedText);
    results.set(
      payoutId!,
      refused ? { status: status as PayoutStatus, changed, refused: refused as NonNullable<MarkPaidResult["refused"]> } : { status: status as PayoutStatus, changed },
    );
  }
  for (const item of batch) {
    if (results.has(item.payoutId)) continue;
    results.set(item.payoutId, item.confirmed ? { status: "failed", changed: false, refused: "unknown-payout" } : { status: "failed", changed: false });
  }
  return results;
}

export type PayoutSettler = {
  /** Settles one paid payout together with whatever else is waiting; resolves once committed. */
  settle(item: PaidPayout): Promise<MarkPaidResult>;
};

/**
 * Group commit for settlements: while one batch is in its transaction, the payouts confirmed
 * meanwhile wait and go together in the next. Alone, a payout settles at once; under load, a
 * batch costs one statement and one update of the clearing account however many it holds.
 * A batch that fails (one bad hold, a lost connection) is retried payout by payout, so one
 * payout's problem never holds up the others. M-Pesa's status callbacks arrive one request at a
 * time and settle without a read before them: a batch waits 2 ms for company before it goes.
 */
export function createPayoutSettler(options: {
  db: Db;
  maxBatch?: number;
  /** A batch failed and is being settled one by one: worth a log line, since it costs speed. */
  onBatchError?: (error: unknown, size: number) => void;
}): PayoutSettler {
  const settleInBatches = createGroupCommit<PaidPayout, MarkPaidResult>({
    key: (item) => item.payoutId,
    maxBatch: options.maxBatch,
    gatherMs: 2,
    async run(batch) {
      try {
        const results = await markPayoutsPaid(options.db, batch);
        return batch.map((item) => results.get(item.payoutId)!);
      } catch (error) {
        options.onBatchError?.(error, batch.length);
        throw error;
      }
    },
    runAlone: async (item) => (await markPayoutsPaid(options.db, [item])).get(item.payoutId)!,
  });
  return { settle: settleInBatches };
}
