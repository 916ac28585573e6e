import { randomBytes } from "node:crypto";

type StripeObject = Record<string, unknown> & { id: string };

/**
 * The fake's balance: one balance transaction per charge that succeeded and per transfer made,
 * as Stripe records them (amount signed, fee, net, the source's id, or the source itself with
 * `expand[]=data.source`), listed newest first with `created[gte|lte]` and cursor pagination.
 */
export function createBalanceLedger() {
  const entries: { transaction: StripeObject; source: StripeObject }[] = [];

  function record(type: "charge" | "transfer", amount: number, currency: string, source: StripeObject) {
    const created = Math.floor(Date.now() / 1000);
    entries.push({
      source,
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
    });
  }

  function list(query: URLSearchParams) {
    const gte = Number(query.get("created[gte]") ?? Number.NEGATIVE_INFINITY);
    const lte = Number(query.get("created[lte]") ?? Number.POSITIVE_INFINITY);
    const type = query.get("type");
    const limit = Math.min(Math.max(Number(query.get("limit") ?? 10) || 10, 1), 100);
    const expandSource = query.getAll("expand[]").includes("data.source") || query.getAll("expand[0]").includes("data.source");
    let matching = entries
      .filter((e) => {
        const created = e.transaction.created as number;
        return created >= gte && created <= lte && (type === null || e.transaction.type === type);
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

  return { record, list, transactions: () => entries.map((e) => structuredClone(e.transaction)) };
}
