// The SQL of creating payouts (`payouts_create`, prisma/sql/functions/payouts_create.sql): one
// statement for a batch of requests.
import { booleanArrayLiteral, int8ArrayLiteral, textArrayLiteral, type Queryable } from "@agrinet/db";

/** The wallet a payout's hold is made on, created with these attributes if it does not exist. */
export type HoldAccount = { code: string; ownerType: string; ownerId: string; purpose: string; allowNegative: boolean };

export type PayoutCreateItem = {
  id: string;
  /** Whose payout; its reference is unique within this partner. */
  partnerId: string;
  userId: string;
  amount: bigint;
  currency: string;
  destinationType: string;
  /** JSON text of the destination. */
  destination: string;
  /** The saved destination paid; with `destinationKey`, the id an inline one is saved under. */
  destinationId: string;
  /** An inline destination's key: saved (or found saved) with the payout, only if it is created. */
  destinationKey: string | null;
  /**
   * PARTNER_DAILY_PAYOUT_CAP for the payout's currency (null: none); the partner's own cap
   * (partners.daily_payout_caps) wins.
   */
  defaultDailyCap: bigint | null;
  contractId: string | null;
  reference: string;
  requestHash: string;
  maxAttempts: number;
  workerMaxAgeMs: number;
  /** The wallet the hold is made on. */
  account: HoldAccount;
  /** JSON text of the payout.queued event's payload. */
  eventPayload: string;
  /** null: no audit row. */
  audit: { actor: string; ip: string | null; metadata: string } | null;
};

export type PayoutCreateOutcome =
  | { outcome: "created"; payoutId: string; holdId: string; jobId: string; createdAt: Date; destinationId: string | null }
  | { outcome: "exists"; payoutId: string }
  | { outcome: "worker_offline" | "contract_missing" | "contract_producer" }
  | { outcome: "contract_not_released"; status: string }
  | { outcome: "contract_short"; settled: bigint; drawn: bigint }
  | { outcome: "insufficient_funds"; available: bigint; account: string }
  /** The partner's daily cap in this currency; `used` counts today's payouts (UTC) before this one. */
  | { outcome: "limit_exceeded"; cap: bigint; used: bigint; day: string };

type OutcomeRow = {
  ord: number;
  outcome: PayoutCreateOutcome["outcome"];
  payout_id: string | null;
  hold_id: string | null;
  job_id: string | null;
  created_at: Date | null;
  detail: Record<string, string> | null;
};

/** Runs one batch in one statement (one transaction); outcomes in the items' order. */
export async function createPayoutsStatement(
  pool: Queryable,
  items: PayoutCreateItem[],
  job: { task: string; delay: string },
): Promise<PayoutCreateOutcome[]> {
  const { rows } = await pool.query<OutcomeRow>({
    // Named: each connection plans it once.
    name: "payouts-create",
    text: `select ord, outcome, payout_id, hold_id, job_id, created_at, detail from payouts_create(
      $1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[],
      $9::text[], $10::int[], $11::int[], $12::text[], $13::text[], $14::text[], $15::text[], $16::boolean[],
      $17::jsonb[], $18::text[], $19::text[], $20::jsonb[], $21::text, $22::interval, $23::text[],
      $24::text[], $25::text[], $26::bigint[])`,
    // Arrays in PostgreSQL's text syntax, built here (as insertPendingDeposits does): pg's own
    // conversion escapes every element twice over, for each of the function's 26 arrays.
    values: [
      textArrayLiteral(items.map((i) => i.id)),
      textArrayLiteral(items.map((i) => i.userId)),
      int8ArrayLiteral(items.map((i) => i.amount)),
      textArrayLiteral(items.map((i) => i.currency)),
      textArrayLiteral(items.map((i) => i.destinationType)),
      textArrayLiteral(items.map((i) => i.destination)),
      textArrayLiteral(items.map((i) => i.contractId)),
      textArrayLiteral(items.map((i) => i.reference)),
      textArrayLiteral(items.map((i) => i.requestHash)),
      int8ArrayLiteral(items.map((i) => i.maxAttempts)),
      int8ArrayLiteral(items.map((i) => Math.round(i.workerMaxAgeMs))),
      textArrayLiteral(items.map((i) => i.account.code)),
      textArrayLiteral(items.map((i) => i.account.ownerType)),
      textArrayLiteral(items.map((i) => i.account.ownerId)),
      textArrayLiteral(items.map((i) => i.account.purpose)),
      booleanArrayLiteral(items.map((i) => i.account.allowNegative)),
      textArrayLiteral(items.map((i) => i.eventPayload)),
      textArrayLiteral(items.map((i) => i.audit?.actor ?? null)),
      textArrayLiteral(items.map((i) => i.audit?.ip ?? null)),
      textArrayLiteral(items.map((i) => i.audit?.metadata ?? null)),
      job.task,
      job.delay,
      textArrayLiteral(items.map((i) => i.partnerId)),
      textArrayLiteral(items.map((i) => i.destinationId)),
      textArrayLiteral(items.map((i) => i.destinationKey)),
      textArrayLiteral(items.map((i) => i.defaultDailyCap?.toString() ?? null)),
    ],
  });
  const byOrd = new Map(rows.map((row) => [row.ord, row]));
  return items.map((_, index) => {
    const row = byOrd.get(index + 1);
    if (!row) throw new Error(`payouts_create answered nothing for request ${index + 1} of ${items.length}`);
    return outcomeFromRow(row);
  });
}

function outcomeFromRow(row: OutcomeRow): PayoutCreateOutcome {
  switch (row.outcome) {
    case "created":
      return {
        outcome: "created",
        payoutId: row.payout_id!,
        holdId: row.hold_id!,
        jobId: row.job_id!,
        createdAt: row.created_at!,
        destinationId: row.detail?.destinationId ?? null,
      };
    case "exists":
      return { outcome: "exists", payoutId: row.payout_id! };
    case "contract_not_released":
      return { outcome: row.outcome, status: row.detail!.status! };
    case "contract_short":
      return { outcome: row.outcome, settled: BigInt(row.detail!.settled!), drawn: BigInt(row.detail!.drawn!) };
    case "insufficient_funds":
      return { outcome: row.outcome, available: BigInt(row.detail!.available!), account: row.detail!.account! };
    case "limit_exceeded":
      return { outcome: row.outcome, cap: BigInt(row.detail!.cap!), used: BigInt(row.detail!.used!), day: row.detail!.day! };
    case "worker_offline":
    case "contract_missing":
    case "contract_producer":
      return { outcome: row.outcome };
  }
}
