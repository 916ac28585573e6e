import type { CurrencyCode } from "@agrinet/core";
import type { Db, Payout } from "@agrinet/db";
import { parseAccountCode, toLedgerDomainError, validateLedgerTransaction } from "../ledger";
import type { PayoutDestinationType } from "./payout-destination";
import { payoutTransactionLimits } from "./payout-jobs";
import { payoutClearingAccount, type PayoutLedgerSnapshot } from "./payout-ledger";
import { flagPaidAfterGivingUp, lockPayouts, markPayoutPaid } from "./payout-transitions";
import type { PayoutStatus } from "./payout-view";

export type PaidPayout = { payoutId: string; providerReference: string };
export type MarkPaidResult = { status: PayoutStatus; changed: boolean };

type HoldRow = { id: bigint; account_id: bigint; code: string; currency: string; amount: bigint };
type CommitRow = { item: number; transaction_id: bigint; posting_ids: bigint[]; account_ids: bigint[]; balances_after: bigint[] };

/**
 * `markPayoutPaid` for many payouts in one transaction of a few statements, whatever the count:
 * the same checks and effects per payout (each row locked and re-read, only a payout not yet
 * final is settled, its hold committed under the same idempotency key, the same event), and
 * the shared clearing account is locked once per batch instead of once per payout.
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

  await db.$transaction(async (tx) => {
    const payouts = await lockPayouts(tx, [...references.keys()]);
    const toSettle: Payout[] = [];
    for (const payout of payouts) {
      if (payout.status === "paid") results.set(payout.id, { status: "paid", changed: false });
      else if (payout.status === "failed" || payout.status === "cancelled") {
        await flagPaidAfterGivingUp(tx, payout, references.get(payout.id)!);
        results.set(payout.id, { status: payout.status, changed: false });
      } else toSettle.push(payout);
    }
    if (toSettle.length === 0) return;

    const holdIds = toSettle.map((p) => BigInt(p.holdId!));
    const holds = await tx.$queryRaw<HoldRow[]>`
      select h.id, h.account_id, a.code, h.currency, h.amount
      from ledger_holds h join ledger_accounts a on a.id = h.account_id where h.id = any(${holdIds}::bigint[])`;
    const holdById = new Map(holds.map((h) => [h.id, h]));
    const clearing = toSettle.map((p) => payoutClearingAccount(p.destinationType as PayoutDestinationType, p.currency as CurrencyCode));
    await tx.$queryRaw`
      select b.account_id from ledger_balances b
      where b.account_id = any(${holds.map((h) => h.account_id)}::bigint[])
         or b.account_id in (select a.id from ledger_accounts a where a.code = any(${[...new Set(clearing)]}::text[]))
      order by b.account_id for update`;

    const commits = toSettle.map((payout, index) => {
      const hold = holdById.get(BigInt(payout.holdId!));
      if (!hold) throw new Error(`hold ${payout.holdId} of payout ${payout.id} does not exist`);
      const to = parseAccountCode(clearing[index]!);
      if (hold.currency !== to.currency) throw new Error(`hold ${hold.id} is in ${hold.currency}, ${to.code} in ${to.currency}`);
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
          { account: hold.code, amount: -hold.amount, currency: to.currency },
          { account: to.code, amount: hold.amount, currency: to.currency },
        ],
      });
      return { payout, hold, to, validated };
    });
    let posted: CommitRow[];
    try {
      posted = await tx.$queryRaw<CommitRow[]>`
        select x.item::int as item, r.transaction_id, r.posting_ids, r.account_ids, r.balances_after
        from unnest(${commits.map((c) => c.hold.id)}::bigint[], ${commits.map((c) => c.validated.input.idempotencyKey)}::text[],
                    ${commits.map((c) => JSON.stringify(c.validated.input.metadata))}::jsonb[],
                    ${commits.map((c) => c.validated.contractId)}::text[], ${commits.map((c) => c.validated.requestHash)}::text[],
                    ${commits.map((c) => c.to.code)}::text[], ${commits.map((c) => c.to.ownerType)}::text[],
                    ${commits.map((c) => c.to.ownerId)}::text[], ${commits.map((c) => c.to.purpose)}::text[],
                    ${commits.map((c) => c.to.allowNegative)}::boolean[])
             with ordinality as x(hold_id, key, metadata, contract_id, hash, to_code, owner_type, owner_id, purpose, allow_negative, item)
        cross join lateral ledger_commit_hold(x.hold_id, x.key, 'payout_settle', x.metadata, x.contract_id, x.hash,
                                              null::bigint, x.to_code, x.owner_type, x.owner_id, x.purpose, x.allow_negative) r
        order by x.item`;
    } catch (error) {
      throw toLedgerDomainError(error);
    }

    const takenAt = new Date().toISOString();
    const snapshots = posted.map((row): PayoutLedgerSnapshot => {
      const { hold, to } = commits[row.item - 1]!;
      const postings = [
        { account: hold.code, amount: -hold.amount },
        { account: to.code, amount: hold.amount },
      ];
      return {
        ledgerTransactionId: row.transaction_id.toString(),
        takenAt,
        balances: postings.map((p, i) => ({
          account: p.account,
          currency: hold.currency,
          amount: p.amount.toString(),
          postedAfter: row.balances_after[i]!.toString(),
        })),
      };
    });
    const ids = commits.map((c) => c.payout.id);
    // The rows, their events (one wake-up for the batch) and the end of their status checks,
    // which a settled payout no longer needs.
    await tx.$queryRaw`
      with settled as (
        update payouts p set status = 'paid', provider_reference = x.reference, ledger_snapshot = x.snapshot::jsonb,
                             paid_at = now(), last_error = null, processing_at = coalesce(p.processing_at, now()), updated_at = now()
        from unnest(${ids}::text[], ${ids.map((id) => references.get(id)!)}::text[], ${snapshots.map((s) => JSON.stringify(s))}::text[])
             as x(id, reference, snapshot)
        where p.id = x.id
        returning p.id, p.user_id, p.amount, p.currency, p.destination_type, p.batch_id, x.reference
      ),
      events as (
        insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
        select 'payout.paid', 'payout', s.id, array[s.user_id],
               jsonb_build_object('payoutId', s.id, 'amount', s.amount::text, 'currency', s.currency,
                                  'destinationType', s.destination_type, 'batchId', s.batch_id, 'providerReference', s.reference)
        from settled s
        returning id
      ),
      checks as (select graphile_worker.remove_job('check:' || s.id) from settled s)
      select (select count(*) from checks)::int as checks,
             (select count(*) from (select pg_notify('domain_events', (select max(id) from events)::text)) n)::int as notified`;
    for (const id of ids) results.set(id, { status: "paid", changed: true });
  }, payoutTransactionLimits);

  for (const payoutId of references.keys()) {
    if (!results.has(payoutId)) results.set(payoutId, { status: "failed", changed: false });
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
  const maxBatch = options.maxBatch ?? 500;
  type Waiting = PaidPayout & { resolve(result: MarkPaidResult): void; reject(error: unknown): void };
  let waiting: Waiting[] = [];
  let draining = false;

  async function drain() {
    draining = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, maxBatch);
        waiting = waiting.slice(maxBatch);
        try {
          const results = await markPayoutsPaid(options.db, batch);
          for (const item of batch) item.resolve(results.get(item.payoutId)!);
        } catch (error) {
          options.onBatchError?.(error, batch.length);
          await Promise.all(
            batch.map((item) => markPayoutPaid(options.db, item).then(item.resolve, item.reject)),
          );
        }
      }
    } finally {
      draining = false;
    }
  }

  return {
    settle(item) {
      return new Promise<MarkPaidResult>((resolve, reject) => {
        waiting.push({ ...item, resolve, reject });
        if (!draining) void drain();
      });
    },
  };
}
