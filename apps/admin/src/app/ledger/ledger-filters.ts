import { partnerParam } from "../../components/partner-param";
import type { AppRouter } from "@agrinet/router";
import type { inferRouterInputs } from "@trpc/server";
import { ledgerTransactionKinds } from "@agrinet/core/ledger-kinds";
import { supportedCurrencies } from "@agrinet/core/money";

type ListInput = inferRouterInputs<AppRouter>["transactions"]["list"];
export type LedgerKind = NonNullable<ListInput["kind"]>;

/** The kinds transactions.list filters on: the domain's own list, checked against the procedure's input. */
export const ledgerKinds = ledgerTransactionKinds satisfies readonly LedgerKind[];

export const ledgerCurrencies = supportedCurrencies;

/**
 * The transaction filters, as they travel in the page's URL and the CSV export's: the list you
 * see and the file you download are the same query. `from`/`to` are ISO instants (`to` exclusive).
 */
export type LedgerFilters = {
  kind?: LedgerKind;
  account?: string;
  currency?: (typeof ledgerCurrencies)[number];
  /** Only transactions touching this partner's users' accounts (staff only). */
  partnerId?: string;
  from?: string;
  to?: string;
};

function isKind(value: string): value is LedgerKind {
  return (ledgerKinds as readonly string[]).includes(value);
}

function isCurrency(value: string): value is (typeof ledgerCurrencies)[number] {
  return (ledgerCurrencies as readonly string[]).includes(value);
}

function isInstant(value: string): boolean {
  return !Number.isNaN(new Date(value).getTime());
}

/** Unknown or malformed values are dropped rather than sent, so a stale link still loads. */
export function filtersFromSearchParams(params: URLSearchParams): LedgerFilters {
  const filters: LedgerFilters = {};
  const kind = params.get("kind");
  if (kind && isKind(kind)) filters.kind = kind;
  const account = params.get("account")?.trim();
  if (account) filters.account = account;
  const currency = params.get("currency");
  if (currency && isCurrency(currency)) filters.currency = currency;
  // The API's own rule for a partner id: anything else would be a 400 rather than a page.
  const partnerId = partnerParam(params.get("partnerId"));
  if (partnerId) filters.partnerId = partnerId;
  const from = params.get("from");
  if (from && isInstant(from)) filters.from = from;
  const to = params.get("to");
  if (to && isInstant(to)) filters.to = to;
  return filters;
}

export function filtersToSearchParams(filters: LedgerFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ["kind", "account", "currency", "partnerId", "from", "to"] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params;
}

export function listInput(filters: LedgerFilters, page: { cursor?: string; limit: number }): ListInput {
  return { ...filters, ...page };
}

/** A ledger account page's path; codes contain colons, which stay readable in a path segment. */
export function accountHref(account: string): string {
  return `/ledger/accounts/${encodeURIComponent(account)}`;
}
