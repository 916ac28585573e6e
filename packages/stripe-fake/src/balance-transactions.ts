import { randomBytes } from "node:crypto";

type StripeObject = Record<string, unknown> & { id: string };

/**
 * The fake's balance: one balance transaction per charge that succeeded, per transfer made and
 * per payout to the platform's bank, as Stripe records them (amount signed, fee, net, the
 * source's id, or the source itself with `expand[]=data.source`), listed newest first with
 * `created[gte|lte]`, `type`, `payout` (what a payout covered, and the payout itself) and cursor
 * pagination.
 */
export function createBalanceLedger() {
  const entries: { transaction: StripeObject; source: StripeObject; payout: string | null }[] = [];

  function record(type: "charge" | "transfer" | "payout" | "payout_failure", amount: number, currency: string, source: StripeObject): StripeObject {
    const created = Math.floor(Date.now() / 1000);
    const entry = {
      source,
      // A returned payout's money is available again: a later payout covers it.
      payout: type === "payout" ? source.id : null,
      transaction: {
        id: `txn_${randomBytes(12).toString("base64url").replace(/[-_]/g, "x")}`,
        object: "balance_transaction",
        amount,
        currency,
        fee: 0,
        fee_details: [],
        net: amount,
        type,
        reporting_category: type,
        status: "available",
        created,
        available_on: created,
        description: typeof source.description === "string" ? source.description : null,
        source: source.id,
      },
    };
    entries.push(entry);
    return entry.transaction;
  }

  /** What a payout of the whole available balance in `currency` would cover: every uncovered transaction. */
  function uncovered(currency: string) {
    return entries.filter((e) => e.payout === null && e.transaction.currency === currency);
  }

  /** Marks transactions as paid out by `payoutId` (Stripe's `payout=` filter then lists them). */
  function cover(transactionIds: string[], payoutId: string) {
    const ids = new Set(transactionIds);
    for (const entry of entries) if (ids.has(entry.transaction.id)) entry.payout = payoutId;
  }

  function list(query: URLSearchParams) {
    const gte = Number(query.get("created[gte]") ?? Number.NEGATIVE_INFINITY);
    const lte = Number(query.get("created[lte]") ?? Number.POSITIVE_INFINITY);
    const type = query.get("type");
    const payout = query.get("payout");
    const limit = Math.min(Math.max(Number(query.get("limit") ?? 10) || 10, 1), 100);
    const expandSource = query.getAll("expand[]").includes("data.source") || query.getAll("expand[0]").includes("data.source");
    let matching = entries
      .filter((e) => {
        const created = e.transaction.created as number;
        return created >= gte && created <= lte && (type === null || e.transaction.type === type) && (payout === null || e.payout === payout);
      })
      .reverse();
    const after = query.get("starting_after");
    if (after) matching = matching.slice(matching.findIndex((e) => e.transaction.id === after) + 1);
    const page = matching.slice(0, limit);
    return {
      object: "list",
      data: page.map((e) => ({ ...e.transaction, source: expandSource ? structuredClone(e.source) : e.transaction.source })),
      has_more: matching.length > limit,
      url: "/v1/balance_transactions",
    };
  }

  return { record, list, uncovered, cover, transactions: () => entries.map((e) => structuredClone(e.transaction)) };
}
