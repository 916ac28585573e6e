import type { CurrencyCode } from "@agrinet/core";
import { inPgTransaction, type Db, type Queryable } from "@agrinet/db";
import { parseAccountCode, toLedgerDomainError, validateLedgerTransaction } from "../ledger";
import type { PayoutDestinationType } from "./payout-destination";
import { payoutClearingAccount, type PayoutLedgerSnapshot } from "./payout-ledger";
import { createGroupCommit } from "../shared/group-commit";
import { markPayoutPaid } from "./payout-transitions";
import type { PayoutStatus } from "./payout-view";

export type PaidPayout = { payoutId: string; providerReference: string };
export type MarkPaidResult = { status: PayoutStatus; changed: boolean };

type LockedRow = {
  id: string;
  status: string;
  currency: string;
  destinationType: string;
  holdId: string | null;
  contractId: string | null;
  /** The hold's account, code, currency and amount (null when the hold is missing). */
  holdAccountId: string | null;
  holdCode: string | null;
  holdCurrency: string | null;
  holdAmount: string | null;
};
type CommitRow = { item: number; transaction_id: string; balances_after: string[] };

/**
 * `markPayoutPaid` for many payouts in one transaction of a few statements on one pool client
 * (no Prisma: this runs for every payout), whatever the count: the same checks and effects per
 * payout (each row locked and re-read, only a payout not yet final is settled, its hold
 * committed under the same idempotency key, the same event), and the shared clearing account is
 * locked once per batch instead of once per payout.
 *
 * Deadlock-free: payout rows are locked in id order, then every balance row the batch touches
 * (the wallets and the clearing accounts) in account-id order, the order every ledger write
 * takes them, before any hold is committed.
 */
export async function markPayoutsPaid(db: Db, items: PaidPayout[]): Promise<Map<string, MarkPaidResult>> {
  // A duplicate callback may bring the same payout twice into one batch: the first settles it.
  const references = new Map<string, string>();
  for (const item of items) if (!references.has(item.payoutId)) references.set(item.payoutId, item.providerReference);
  const results = new Map<string, MarkPaidResult>();

  try {
    await inPgTransaction(db, (client) => settleLocked(client, references, results));
  } catch (error) {
    results.clear();
    throw error;
  }

  for (const payoutId of references.keys()) {
    if (!results.has(payoutId)) results.set(payoutId, { status: "failed", changed: false });
  }
  return results;
}

async function settleLocked(client: Queryable, references: Map<string, string>, results: Map<string, MarkPaidResult>) {
  const { rows: payouts } = await client.query<LockedRow>({
    name: "payouts-settle-lock",
    text: `select p.id, p.status, p.currency, p.destination_type as "destinationType", p.hold_id as "holdId",
            p.contract_id as "contractId", h.account_id::text as "holdAccountId", a.code as "holdCode",
            h.currency as "holdCurrency", h.amount::text as "holdAmount"
     from payouts p
     left join ledger_holds h on h.id = p.hold_id::bigint
     left join ledger_accounts a on a.id = h.account_id
     where p.id = any($1::text[])
     order by p.id
     for update of p`,
    values: [[...references.keys()]],
  });
  const toSettle: LockedRow[] = [];
  const givenUp: LockedRow[] = [];
  for (const payout of payouts) {
    if (payout.status === "paid") results.set(payout.id, { status: "paid", changed: false });
    else if (payout.status === "failed" || payout.status === "cancelled") {
      givenUp.push(payout);
      results.set(payout.id, { status: payout.status, changed: false });
    } else toSettle.push(payout);
  }
  if (givenUp.length > 0) await flagPaidAfterGivingUpMany(client, givenUp.map((p) => ({ payoutId: p.id, providerReference: references.get(p.id)! })));
  if (toSettle.length === 0) return;

  const clearing = toSettle.map((p) => payoutClearingAccount(p.destinationType as PayoutDestinationType, p.currency as CurrencyCode));
  await client.query({
    name: "payouts-settle-lock-balances",
    text: `select b.account_id from ledger_balances b
     where b.account_id = any($1::bigint[])
        or b.account_id in (select a.id from ledger_accounts a where a.code = any($2::text[]))
     order by b.account_id for update`,
    values: [toSettle.flatMap((p) => (p.holdAccountId ? [p.holdAccountId] : [])), [...new Set(clearing)]],
  });

  const commits = toSettle.map((payout, index) => {
    if (!payout.holdCode || !payout.holdAmount) throw new Error(`hold ${payout.holdId} of payout ${payout.id} does not exist`);
    const holdAmount = BigInt(payout.holdAmount);
    const to = parseAccountCode(clearing[index]!);
    if (payout.holdCurrency !== to.currency) throw new Error(`hold ${payout.holdId} is in ${payout.holdCurrency}, ${to.code} in ${to.currency}`);
    const metadata = {
      payoutId: payout.id,
      providerReference: references.get(payout.id)!,
      ...(payout.contractId ? { contractId: payout.contractId } : {}),
    };
    const validated = validateLedgerTransaction({
      idempotencyKey: `payout:${payout.id}:settle:${payout.holdId}`,
      kind: "payout_settle",
      metadata,
      postings: [
        { account: payout.holdCode, amount: -holdAmount, currency: to.currency },
        { account: to.code, amount: holdAmount, currency: to.currency },
      ],
    });
    return { payout, holdCode: payout.holdCode, holdAmount, to, validated };
  });
  let posted: CommitRow[];
  try {
    ({ rows: posted } = await client.query<CommitRow>({
      name: "payouts-settle-commit-holds",
      text: `select c.item, c.transaction_id::text as transaction_id, c.balances_after::text[] as balances_after
       from ledger_commit_holds($1::bigint[], $2::text[], 'payout_settle', $3::jsonb[], $4::text[], $5::text[],
                                $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[]) c
       order by c.item`,
      values: [
        commits.map((c) => c.payout.holdId),
        commits.map((c) => c.validated.input.idempotencyKey),
        commits.map((c) => JSON.stringify(c.validated.input.metadata)),
        commits.map((c) => c.validated.contractId),
        commits.map((c) => c.validated.requestHash),
        commits.map((c) => c.to.code),
        commits.map((c) => c.to.ownerType),
        commits.map((c) => c.to.ownerId),
        commits.map((c) => c.to.purpose),
        commits.map((c) => c.to.allowNegative),
      ],
    }));
  } catch (error) {
    throw toLedgerDomainError(error);
  }
  if (posted.length !== commits.length) throw new Error(`ledger_commit_holds posted ${posted.length} of ${commits.length} holds`);

  const takenAt = new Date().toISOString();
  const snapshots = posted.map((row): PayoutLedgerSnapshot => {
    const { holdCode, holdAmount, to } = commits[row.item - 1]!;
    const postings = [
      { account: holdCode, amount: -holdAmount },
      { account: to.code, amount: holdAmount },
    ];
    return {
      ledgerTransactionId: row.transaction_id,
      takenAt,
      balances: postings.map((p, i) => ({
        account: p.account,
        currency: to.currency,
        amount: p.amount.toString(),
        postedAfter: row.balances_after[i]!,
      })),
    };
  });
  const ids = commits.map((c) => c.payout.id);
  // The rows, their events (one wake-up for the batch) and the end of their status checks,
  // which a settled payout no longer needs (a sweep asks only about processing payouts anyway).
  await client.query({
    name: "payouts-settle-mark-paid",
    text: `with settled as (
       update payouts p set status = 'paid', provider_reference = x.reference, ledger_snapshot = x.snapshot::jsonb,
                            paid_at = now(), last_error = null, processing_at = coalesce(p.processing_at, now()), updated_at = now(),
                            status_check = null, status_check_at = null
       from unnest($1::text[], $2::text[], $3::text[]) as x(id, reference, snapshot)
       where p.id = x.id
       returning p.id, p.user_id, p.amount, p.currency, p.destination_type, p.batch_id, x.reference
     ),
     events as (
       insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
       select 'payout.paid', 'payout', s.id, array[s.user_id],
              jsonb_build_object('payoutId', s.id, 'amount', s.amount::text, 'currency', s.currency,
                                 'destinationType', s.destination_type, 'batchId', s.batch_id, 'providerReference', s.reference)
       from settled s
       order by s.id
       returning id
     )
     select pg_notify('domain_events', (select max(id) from events)::text)`,
    values: [ids, ids.map((id) => references.get(id)!), snapshots.map((s) => JSON.stringify(s))],
  });
  for (const id of ids) results.set(id, { status: "paid", changed: true });
}

/**
 * The provider paid payouts we had already given up on. Never silent: the hold was released,
 * so an operator must reconcile (event + last error), not the code. Same effects as
 * `flagPaidAfterGivingUp`, for rows this transaction has locked.
 */
async function flagPaidAfterGivingUpMany(client: Queryable, items: PaidPayout[]) {
  await client.query({
    name: "payouts-paid-after-giving-up",
    text: `with flagged as (
       update payouts p set last_error = 'provider reported paid (' || x.reference || ') after the payout was ' || p.status || ': reconcile',
                            updated_at = now()
       from unnest($1::text[], $2::text[]) as x(id, reference)
       where p.id = x.id
       returning p.id, p.user_id, p.amount, p.currency, p.destination_type, p.batch_id, p.status, x.reference
     ),
     events as (
       insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
       select 'payout.reconciliation_needed', 'payout', f.id, array[f.user_id],
              jsonb_build_object('payoutId', f.id, 'amount', f.amount::text, 'currency', f.currency,
                                 'destinationType', f.destination_type, 'batchId', f.batch_id,
                                 'providerReference', f.reference, 'status', f.status)
       from flagged f
       returning id
     )
     select pg_notify('domain_events', (select max(id) from events)::text)`,
    values: [items.map((i) => i.payoutId), items.map((i) => i.providerReference)],
  });
}

export type PayoutSettler = {
  /** Settles one paid payout together with whatever else is waiting; resolves once committed. */
  settle(item: PaidPayout): Promise<MarkPaidResult>;
};

/**
 * Group commit for settlements: while one batch is in its transaction, the payouts confirmed
 * meanwhile wait and go together in the next. Alone, a payout settles at once; under load, a
 * batch costs a few statements and one lock of the clearing account however many it holds.
 * A batch that fails (one bad hold, a lost connection) is retried payout by payout, so one
 * payout's problem never holds up the others.
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
    async run(batch) {
      try {
        const results = await markPayoutsPaid(options.db, batch);
        return batch.map((item) => results.get(item.payoutId)!);
      } catch (error) {
        options.onBatchError?.(error, batch.length);
        throw error;
      }
    },
    runAlone: (item) => markPayoutPaid(options.db, item),
  });
  return { settle: settleInBatches };
}
