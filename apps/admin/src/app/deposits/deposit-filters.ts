import { partnerParam } from "../../components/partner-param";

/**
 * The deposit queue's filters as they travel in the page's address and the CSV export's: the
 * list you see and the file you download are the same query.
 */
export const depositStatusValues = ["pending", "confirmed", "failed"] as const;
export const depositMethodValues = ["mpesa", "bank", "cash", "stripe"] as const;
export const depositCurrencyValues = ["KES", "TZS", "UGX", "USD"] as const;
export const depositFilterKeys = ["status", "method", "currency", "partner", "from", "to", "q"] as const;
export const depositSortValues = ["createdAt", "amount", "status"] as const;
export type DepositSort = { by: (typeof depositSortValues)[number]; direction: "asc" | "desc" };

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((v) => v === value);
}

/** `YYYY-MM-DD` → that UTC day's start; `to` is inclusive in the form, exclusive on the API. */
export function dayStart(value: string | null | undefined, plusDays = 0): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const at = new Date(`${value}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + plusDays);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** The order from the address (`sort`, `dir`): newest first unless it names another. */
export function depositSort(params: URLSearchParams): DepositSort {
  return { by: pick(params.get("sort"), depositSortValues) ?? "createdAt", direction: params.get("dir") === "asc" ? "asc" : "desc" };
}

/** deposits.list's filters and order from the address; unknown values are dropped, so a stale link still loads. */
export function depositListFilters(params: URLSearchParams) {
  return {
    status: pick(params.get("status"), depositStatusValues),
    method: pick(params.get("method"), depositMethodValues),
    currency: pick(params.get("currency"), depositCurrencyValues),
    from: dayStart(params.get("from")),
    to: dayStart(params.get("to"), 1),
    search: params.get("q")?.trim() || undefined,
    partnerId: partnerParam(params.get("partner")),
    sort: depositSort(params).by,
    direction: depositSort(params).direction,
  };
}
