"use client";
import { DateTime, Button, Card, EmptyState, LoadingRows, Money, Pager, Table, TBody, THead, Td, Th, Tr, useKeysetPages } from "@agrinet/ui";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { FormEvent } from "react";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";
import { currencies, depositMethods, depositStatuses, DepositStatus, methodLabel, StkState } from "./deposit-status";
import { UserLink } from "../../components/entity-links";
import { ExportCsvLink } from "../../components/export-csv-link";
import { BulkActionBar, useRowSelection, type BulkAction } from "../../components/bulk-actions";
import { useCan } from "../../auth/use-can";
import { depositFilterKeys, depositListFilters, depositSort, type DepositSort } from "./deposit-filters";
import { SortHeader } from "../../components/sort-header";
import { PartnerName, usePartners } from "../../components/partner-filter";

const pageSize = 25;
const fieldClass =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm focus:border-emerald-600 focus:outline-2 focus:outline-emerald-600";
const filterKeys = depositFilterKeys;

/** One select of the filter form, read back from the form data when the filters are applied. */
function DepositFilterSelect<T extends string>(props: {
  name: (typeof filterKeys)[number];
  label: string;
  options: readonly T[];
  optionLabels?: Record<T, string>;
  defaultValue: string | null;
}) {
  const id = `deposit-${props.name}`;
  return (
    <div>
      <label htmlFor={id} className="text-sm font-medium text-slate-800">
        {props.label}
      </label>
      <select id={id} name={props.name} defaultValue={props.defaultValue ?? ""} className={fieldClass}>
        <option value="">Any</option>
        {props.options.map((option) => (
          <option key={option} value={option}>
            {props.optionLabels?.[option] ?? option}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The deposit queue: filters in the address, keyset pages from `deposits.list`. */
export function DepositQueue() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const pages = useKeysetPages();
  const partners = usePartners();

  const input = { limit: pageSize, cursor: pages.cursor, ...depositListFilters(params) };
  const list = useQuery({
    ...trpc.deposits.list.queryOptions(input),
    placeholderData: keepPreviousData,
    // An STK Push prompt still on a payer's phone settles within seconds: follow it live.
    refetchInterval: (query) =>
      query.state.data?.items.some((deposit) => deposit.status === "pending" && deposit.mpesaPayment?.kind === "stk") ? 2_000 : false,
  });
  const queryClient = useQueryClient();
  const rows = list.data?.items ?? [];
  const selection = useRowSelection(rows);
  const canConfirm = useCan("deposits.confirm");
  const canFail = useCan("deposits.fail");
  const confirm = useMutation(trpc.deposits.confirm.mutationOptions());
  const fail = useMutation(trpc.deposits.fail.mutationOptions());
  type Row = (typeof rows)[number];
  const pending = (deposit: Row) => deposit.status === "pending";
  const bulkActions: Array<BulkAction<Row>> = [
    ...(canConfirm
      ? [
          {
            key: "confirm",
            label: "Confirm",
            eligible: pending,
            title: "Confirm these deposits?",
            confirmLabel: (count: number) => `Confirm ${count} deposit${count === 1 ? "" : "s"}`,
            explanation:
              "Each amount is credited once to its user's wallet (or its contract's escrow), recorded as confirmed by you with the evidence below (a statement or slip that shows these payments).",
            reason: { label: "Evidence URL, recorded on each deposit", type: "url" as const },
            run: (deposit: Row, evidenceUrl: string) => confirm.mutateAsync({ depositId: deposit.id, evidenceUrl }),
          },
        ]
      : []),
    ...(canFail
      ? [
          {
            key: "fail",
            label: "Fail",
            eligible: pending,
            title: "Fail these deposits?",
            confirmLabel: (count: number) => `Fail ${count} deposit${count === 1 ? "" : "s"}`,
            tone: "danger" as const,
            explanation: "Nothing is credited; each deposit is closed as failed with the reason below. This cannot be undone.",
            reason: { label: "Reason, recorded on each deposit" },
            run: (deposit: Row, reason: string) => fail.mutateAsync({ depositId: deposit.id, reason }),
          },
        ]
      : []),
  ];

  const sort = depositSort(params);
  /** The order stays in the address beside the filters (the CSV export follows it too). */
  function withSort(next: URLSearchParams, order: DepositSort) {
    if (order.by !== "createdAt" || order.direction !== "desc") {
      next.set("sort", order.by);
      next.set("dir", order.direction);
    }
    return next;
  }

  function applyFilters(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const key of filterKeys) {
      const value = String(form.get(key) ?? "").trim();
      if (value) next.set(key, value);
    }
    withSort(next, sort);
    pages.reset();
    router.replace(next.size ? `${pathname}?${next}` : pathname);
  }

  function clearFilters() {
    pages.reset();
    const next = withSort(new URLSearchParams(), sort);
    router.replace(next.size ? `${pathname}?${next}` : pathname);
  }

  function changeSort(order: DepositSort) {
    const next = new URLSearchParams(params);
    next.delete("sort");
    next.delete("dir");
    withSort(next, order);
    pages.reset();
    selection.clear();
    router.replace(next.size ? `${pathname}?${next}` : pathname);
  }
  const orderText =
    sort.by === "amount"
      ? sort.direction === "desc" ? "largest first" : "smallest first"
      : sort.by === "status"
        ? `by status (${sort.direction === "asc" ? "pending, confirmed, failed" : "failed, confirmed, pending"}), newest first within each`
        : sort.direction === "desc" ? "newest first" : "oldest first";

  const filtered = filterKeys.some((key) => params.get(key));
  const formKey = filterKeys.map((key) => params.get(key) ?? "").join("|");

  return (
    <div className="grid gap-6">
      <Card>
        <form key={formKey} onSubmit={applyFilters} aria-label="Filter deposits" className="grid gap-3 p-4 sm:grid-cols-3 lg:grid-cols-6">
          <div className="sm:col-span-3 lg:col-span-2">
            <label htmlFor="deposit-search" className="text-sm font-medium text-slate-800">
              Search
            </label>
            <input
              id="deposit-search"
              name="q"
              type="search"
              defaultValue={params.get("q") ?? ""}
              placeholder="Reference or exact user id"
              className={fieldClass}
            />
          </div>
          <DepositFilterSelect name="status" label="Status" options={depositStatuses} defaultValue={params.get("status")} />
          <DepositFilterSelect name="method" label="Method" options={depositMethods} optionLabels={methodLabel} defaultValue={params.get("method")} />
          <DepositFilterSelect name="currency" label="Currency" options={currencies} defaultValue={params.get("currency")} />
          <DepositFilterSelect
            // Re-mounted once the partners arrive, so a partner from the address is selected.
            key={partners.isPending ? "partners-loading" : "partners"}
            name="partner"
            label="Partner"
            options={partners.ids}
            optionLabels={partners.names}
            defaultValue={params.get("partner")}
          />
          <div>
            <label htmlFor="deposit-from" className="text-sm font-medium text-slate-800">
              Created from
            </label>
            <input id="deposit-from" name="from" type="date" defaultValue={params.get("from") ?? ""} className={fieldClass} />
          </div>
          <div>
            <label htmlFor="deposit-to" className="text-sm font-medium text-slate-800">
              Created to (inclusive)
            </label>
            <input id="deposit-to" name="to" type="date" defaultValue={params.get("to") ?? ""} className={fieldClass} />
          </div>
          <div className="flex items-end gap-2 sm:col-span-1 lg:col-span-4">
            <Button type="submit">Apply filters</Button>
            {filtered ? (
              <Button variant="secondary" onClick={clearFilters}>
                Clear
              </Button>
            ) : null}
          </div>
        </form>
      </Card>

      <Card
        title="Deposits"
        id="deposit-list"
        description={filtered ? `Filtered; ${orderText}.` : `All deposits, ${orderText}.`}
        actions={<ExportCsvLink href={`/deposits/export${params.toString() ? `?${params.toString()}` : ""}`} />}
      >
        {/* Outside the list's states: the dialog stays while the list empties under it. */}
        <BulkActionBar
          noun="deposit"
          selected={selection.selected}
          actions={bulkActions}
          onClear={selection.clear}
          onFinished={() => void queryClient.invalidateQueries({ queryKey: trpc.deposits.pathKey() })}
        />
        {list.isPending ? (
          <div className="p-5">
            <LoadingRows label="Loading deposits…" />
          </div>
        ) : list.isError ? (
          <div className="p-5">
            <QueryError error={list.error} what="the deposits" onRetry={() => void list.refetch()} />
          </div>
        ) : list.data.items.length === 0 ? (
          <div className="p-5">
            <EmptyState title={filtered ? "No deposit matches these filters" : "No deposits yet"}>
              {filtered ? "Widen the dates or clear the filters." : "Deposits appear here when partners create them."}
            </EmptyState>
          </div>
        ) : (
          <>
            <Table caption="Deposits" aria-busy={list.isFetching || undefined}>
              <THead>
                <tr>
                  {bulkActions.length > 0 ? (
                    <Th>
                      <input
                        type="checkbox"
                        aria-label="Select every deposit on this page"
                        checked={selection.allChecked}
                        onChange={selection.toggleAll}
                        className="size-4 accent-emerald-700"
                      />
                    </Th>
                  ) : null}
                  <Th>Reference</Th>
                  <Th>User</Th>
                  <Th>Partner</Th>
                  <Th>Method</Th>
                  <SortHeader field="amount" sort={sort} onSort={changeSort} align="right">
                    Amount
                  </SortHeader>
                  <SortHeader field="status" sort={sort} onSort={changeSort}>
                    Status
                  </SortHeader>
                  <SortHeader field="createdAt" sort={sort} onSort={changeSort}>
                    Created
                  </SortHeader>
                </tr>
              </THead>
              <TBody>
                {list.data.items.map((deposit) => (
                  <Tr key={deposit.id} data-testid="deposit-row" data-reference={deposit.reference} data-amount={deposit.amount} data-status={deposit.status} data-created-at={deposit.createdAt}>
                    {bulkActions.length > 0 ? (
                      <Td>
                        <input
                          type="checkbox"
                          aria-label={`Select deposit ${deposit.reference}`}
                          checked={selection.isChecked(deposit.id)}
                          onChange={() => selection.toggle(deposit.id)}
                          className="size-4 accent-emerald-700"
                        />
                      </Td>
                    ) : null}
                    <Td>
                      <Link
                        prefetch={false}
                        href={`/deposits/${encodeURIComponent(deposit.id)}`}
                        className="font-medium text-emerald-800 underline focus-visible:outline-2 focus-visible:outline-emerald-600"
                      >
                        {deposit.reference}
                      </Link>
                    </Td>
                    <Td className="font-mono text-xs">
                      <UserLink userId={deposit.userId} />
                    </Td>
                    <Td>
                      <PartnerName partnerId={deposit.partnerId} names={partners.names} />
                    </Td>
                    <Td>{methodLabel[deposit.method]}</Td>
                    <Td align="right">
                      <Money amount={deposit.amount} currency={deposit.currency} />
                    </Td>
                    <Td>
                      <span className="flex flex-wrap items-center gap-1.5">
                        <DepositStatus status={deposit.status} />
                        <StkState payment={deposit.mpesaPayment} />
                      </span>
                    </Td>
                    <Td>
                      <DateTime iso={deposit.createdAt} />
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <Pager
              label="Pages"
              {...pages.pagerProps(list.data.nextCursor)}
              busy={list.isFetching}
              previousLabel="Previous"
              nextLabel="Next"
              className="border-t border-slate-200 px-5 py-3"
            />
          </>
        )}
      </Card>
    </div>
  );
}
