"use client";
import { DateTime, Badge, Button, Card, EmptyState, LoadingRows, Money, Pager, Table, TBody, THead, Td, Th, Tr, useKeysetPages } from "@agrinet/ui";
import { ExportCsvLink } from "../../components/export-csv-link";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useId, type FormEvent } from "react";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";
import { EntityLink } from "../../components/entity-links";
import { usePartners } from "../../components/partner-filter";
import {
  accountHref,
  filtersFromSearchParams,
  filtersToSearchParams,
  ledgerCurrencies,
  ledgerKinds,
  listInput,
  type LedgerFilters,
} from "./ledger-filters";

const pageSize = 25;

/** datetime-local wants local wall time without a zone; the URL carries UTC instants. */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function fromLocalInput(value: FormDataEntryValue | null): string | undefined {
  if (typeof value !== "string" || !value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function FilterForm({ filters, onApply }: { filters: LedgerFilters; onApply: (filters: LedgerFilters) => void }) {
  const id = useId();
  const partners = usePartners();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const params = new URLSearchParams();
    for (const key of ["kind", "account", "currency", "partnerId"] as const) {
      const value = data.get(key);
      if (typeof value === "string" && value.trim()) params.set(key, value.trim());
    }
    const from = fromLocalInput(data.get("from"));
    const to = fromLocalInput(data.get("to"));
    if (from) params.set("from", from);
    if (to) params.set("to", to);
    onApply(filtersFromSearchParams(params));
  };
  const field = "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-emerald-600";
  return (
    <form
      aria-label="Filter transactions"
      onSubmit={submit}
      // Re-mount when the URL's filters change, or the partners arrive, so the fields show what is applied.
      key={`${filtersToSearchParams(filters).toString()}|${partners.isPending}`}
      className="grid gap-3 sm:grid-cols-2 lg:grid-cols-6"
    >
      <label htmlFor={`${id}-kind`} className="text-sm font-medium text-slate-700">
        Kind
        <select id={`${id}-kind`} name="kind" defaultValue={filters.kind ?? ""} className={field}>
          <option value="">All kinds</option>
          {ledgerKinds.map((kind) => (
            <option key={kind} value={kind}>
              {kind}
            </option>
          ))}
        </select>
      </label>
      <label htmlFor={`${id}-currency`} className="text-sm font-medium text-slate-700">
        Currency
        <select id={`${id}-currency`} name="currency" defaultValue={filters.currency ?? ""} className={field}>
          <option value="">All currencies</option>
          {ledgerCurrencies.map((currency) => (
            <option key={currency} value={currency}>
              {currency}
            </option>
          ))}
        </select>
      </label>
      <label htmlFor={`${id}-partner`} className="text-sm font-medium text-slate-700">
        Partner
        <select id={`${id}-partner`} name="partnerId" defaultValue={filters.partnerId ?? ""} className={field}>
          <option value="">All partners</option>
          {partners.ids.map((partnerId) => (
            <option key={partnerId} value={partnerId}>
              {partners.names[partnerId]}
            </option>
          ))}
        </select>
      </label>
      <label htmlFor={`${id}-account`} className="text-sm font-medium text-slate-700 lg:col-span-2">
        Account
        <input
          id={`${id}-account`}
          name="account"
          defaultValue={filters.account ?? ""}
          placeholder="user:user_buyer1:wallet:KES"
          className={field}
        />
      </label>
      <label htmlFor={`${id}-from`} className="text-sm font-medium text-slate-700">
        From
        <input id={`${id}-from`} type="datetime-local" name="from" defaultValue={toLocalInput(filters.from)} className={field} />
      </label>
      <label htmlFor={`${id}-to`} className="text-sm font-medium text-slate-700">
        Until (exclusive)
        <input id={`${id}-to`} type="datetime-local" name="to" defaultValue={toLocalInput(filters.to)} className={field} />
      </label>
      <div className="flex flex-wrap gap-2 sm:col-span-2 lg:col-span-6">
        <Button type="submit">Apply filters</Button>
        <Button variant="secondary" onClick={() => onApply({})}>
          Clear
        </Button>
      </div>
    </form>
  );
}

export function TransactionsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = filtersFromSearchParams(new URLSearchParams(searchParams.toString()));
  const filterKey = filtersToSearchParams(filters).toString();
  // The filters live in the address, so a change of them (even back/forward) starts at page one.
  const pages = useKeysetPages(filterKey);

  const list = useQuery({
    ...trpc.transactions.list.queryOptions(listInput(filters, { cursor: pages.cursor, limit: pageSize })),
    placeholderData: keepPreviousData,
  });

  const apply = (next: LedgerFilters) => {
    const query = filtersToSearchParams(next).toString();
    router.replace(query ? `${pathname}?${query}` : pathname);
  };
  const exportHref = `/ledger/export${filterKey ? `?${filterKey}` : ""}`;

  return (
    <div className="flex flex-col gap-6">
      <Card id="ledger-filters" title="Filters">
        <FilterForm filters={filters} onApply={apply} />
      </Card>
      <Card
        id="ledger-transactions"
        title="Transactions"
        description="One row per transaction; its postings are listed with the balance each left on its account."
        actions={<ExportCsvLink href={exportHref} />}
      >
        {list.isPending ? (
          <LoadingRows label="Loading transactions…" rows={6} />
        ) : list.isError ? (
          <QueryError error={list.error} what="the ledger transactions" onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title="No transactions match these filters">
            {filterKey ? "Clear or widen the filters to see more." : "Money has not moved yet."}
          </EmptyState>
        ) : (
          <>
            <Table caption="Ledger transactions with their postings" aria-busy={list.isFetching || undefined}>
              <THead>
                <Tr>
                  <Th>Transaction</Th>
                  <Th>Kind</Th>
                  <Th>Postings</Th>
                </Tr>
              </THead>
              <TBody>
                {list.data.items.map((transaction) => (
                  <Tr key={transaction.id} data-testid="ledger-transaction" data-transaction-id={transaction.id}>
                    <Td className="align-top">
                      <span className="font-mono text-xs text-slate-900">#{transaction.id}</span>
                      <br />
                      <span className="text-xs text-slate-600">
                        <DateTime iso={transaction.createdAt} />
                      </span>
                      <TransactionSources transaction={transaction} />
                    </Td>
                    <Td className="align-top">
                      <Badge tone="neutral">{transaction.kind}</Badge>
                    </Td>
                    <Td className="align-top">
                      <ul className="flex flex-col gap-1" aria-label={`Postings of transaction ${transaction.id}`}>
                        {transaction.postings.map((posting) => (
                          <li key={posting.id} data-testid="ledger-posting" className="flex flex-wrap items-baseline gap-x-3">
                            <Link
                              prefetch={false}
                              href={accountHref(posting.account)}
                              className="min-w-0 font-mono text-xs text-emerald-800 underline"
                            >
                              {posting.account}
                            </Link>
                            <Money
                              amount={posting.amount}
                              currency={posting.currency}
                              className={posting.amount.startsWith("-") ? "text-red-800" : "text-emerald-800"}
                            />
                            {posting.balanceAfter !== null ? (
                              <span className="text-xs text-slate-500">
                                balance <Money amount={posting.balanceAfter} currency={posting.currency} />
                              </span>
                            ) : null}
                          </li>
                        ))}
                      </ul>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <Pager label="Transaction pages" {...pages.pagerProps(list.data.nextCursor)} busy={list.isFetching} />
          </>
        )}
      </Card>
    </div>
  );
}

/** What a transaction belongs to (its metadata names the deposit, payout, contract or dispute), linked. */
function TransactionSources({ transaction }: { transaction: { metadata: Record<string, unknown>; contractId: string | null } }) {
  const text = (key: string) => (typeof transaction.metadata[key] === "string" ? (transaction.metadata[key] as string) : null);
  const sources = [
    ["deposit", text("depositId")],
    ["payout", text("payoutId")],
    ["contract", transaction.contractId ?? text("contractId")],
    ["dispute", text("disputeId")],
  ].flatMap(([kind, id]) => (id ? [{ kind: kind!, id }] : []));
  if (!sources.length) return null;
  return (
    <ul className="mt-1 flex flex-col text-xs" aria-label="Belongs to">
      {sources.map((source) => (
        <li key={source.kind}>
          <span className="text-slate-500">{source.kind} </span>
          {source.kind === "dispute" ? (
            <span className="font-mono">{source.id}</span>
          ) : (
            <EntityLink target={`${source.kind}:${source.id}`} />
          )}
        </li>
      ))}
    </ul>
  );
}
