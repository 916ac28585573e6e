import { partnerParam } from "../../components/partner-param";

/**
 * The payouts list's filters as the CSV export's address carries them: the list you see and the
 * file you download are the same query. `from`/`to` are ISO instants (`to` exclusive).
 */
const statuses = ["queued", "processing", "paid", "failed", "cancelled"] as const;
const destinationTypes = ["mpesa", "stripe", "bank"] as const;
const currencies = ["KES", "TZS", "UGX", "USD"] as const;

export type PayoutListFilters = {
  status?: (typeof statuses)[number];
  destinationType?: (typeof destinationTypes)[number];
  currency?: (typeof currencies)[number];
  batchId?: string;
  /** Staff-only: one partner's payouts. */
  partnerId?: string;
  from?: string;
  to?: string;
};

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((v) => v === value);
}

function instant(value: string | null): string | undefined {
  return value && !Number.isNaN(new Date(value).getTime()) ? value : undefined;
}

/** Unknown or malformed values are dropped rather than sent, so a stale link still loads. */
export function payoutFiltersFromSearchParams(params: URLSearchParams): PayoutListFilters {
  const batchId = params.get("batchId");
  return {
    status: pick(params.get("status"), statuses),
    destinationType: pick(params.get("destinationType"), destinationTypes),
    currency: pick(params.get("currency"), currencies),
    batchId: batchId && /^pb_[0-9a-f]{20}$/.test(batchId) ? batchId : undefined,
    partnerId: partnerParam(params.get("partnerId")),
    from: instant(params.get("from")),
    to: instant(params.get("to")),
  };
}

export function payoutFilterQuery(filters: PayoutListFilters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  return params.toString();
}
