"use client";
import { Button, Card, DateTime, EmptyState, LoadingRows, Money, Pager, Table, TBody, THead, Td, Th, Tr, useKeysetPages } from "@agrinet/ui";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { useCan } from "../../auth/use-can";
import { FilterSelect } from "../../components/filter-select";
import { QueryError } from "../../components/query-error";
import { useNotificationStream, type NotificationItem } from "../../notifications/use-notification-stream";
import { useTRPC } from "../../trpc/client";
import { ExportBankBatch, PayoutActions } from "./payout-actions";
import {
  describeDestination,
  destinationLabel,
  destinationTypes,
  FailureNote,
  payoutCurrencies,
  payoutStatuses,
  PayoutStatusPill,
  type DestinationType,
  type PayoutStatus,
} from "./payout-display";
import { RunPayoutsDialog } from "./run-payouts-dialog";
import { ExportCsvLink } from "../../components/export-csv-link";
import { payoutFilterQuery, type PayoutListFilters } from "./payout-filters";
import { UserLink } from "../../components/entity-links";
import { BulkActionBar, useRowSelection, type BulkAction } from "../../components/bulk-actions";
import { SortHeader, type Sort } from "../../components/sort-header";
import { PartnerName, usePartners } from "../../components/partner-filter";

const pageSize = 25;
type Filters = {
  status?: PayoutStatus;
  destinationType?: DestinationType;
  currency?: (typeof payoutCurrencies)[number];
  /** `YYYY-MM-DD` (UTC days), both inclusive in the form. */
  fromDay?: string;
  toDay?: string;
  /** Staff-only filter: one partner's payouts. */
  partnerId?: string;
};

/** `YYYY-MM-DD` → that UTC day's start; the form's "to" day is inclusive, the API's `to` exclusive. */
function dayStart(value: string | undefined, plusDays = 0): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const at = new Date(`${value}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + plusDays);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

const dateFieldClass =
  "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:border-emerald-600 focus:outline-2 focus:outline-emerald-600";

/** The payouts list; with `batchId`, only that run's payouts (the run's own page). */
export function PayoutsView({ batchId }: { batchId?: string } = {}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canRun = useCan("payouts.runPayouts");
  const [filters, setFilters] = useState<Filters>({});
  const [sort, setSort] = useState<Sort<"createdAt" | "amount">>({ by: "createdAt", direction: "desc" });
  const pages = useKeysetPages();
  const partners = usePartners();
  const [runOpen, setRunOpen] = useState(false);

  const { fromDay, toDay, ...choices } = filters;
  const listFilters: PayoutListFilters = { ...choices, ...(batchId ? { batchId } : {}), from: dayStart(fromDay), to: dayStart(toDay, 1) };
  const exportQuery = payoutFilterQuery(listFilters);
  const list = useQuery({
    ...trpc.payouts.listPayouts.queryOptions({ ...listFilters, sort: sort.by, direction: sort.direction, cursor: pages.cursor, limit: pageSize }),
    placeholderData: keepPreviousData,
  });

  // One stream for the page: it refreshes the list as payouts change and feeds the run dialog.
  const listeners = useRef(new Set<(notification: NotificationItem) => void>());
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(refreshTimer.current ?? undefined), []);
  const subscribe = useCallback((listener: (notification: NotificationItem) => void) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
  const stream = useNotificationStream((notification) => {
    for (const listener of listeners.current) listener(notification);
    // At most one refetch a second, however many payouts a run settles.
    if (notification.aggregateType === "payout" && !refreshTimer.current) {
      refreshTimer.current = setTimeout(() => {
        refreshTimer.current = null;
        void queryClient.invalidateQueries({ queryKey: trpc.payouts.listPayouts.pathKey() });
      }, 1_000);
    }
  });

  const rows = list.data?.items ?? [];
  const selection = useRowSelection(rows);
  const canRetry = useCan("payouts.retryPayout");
  const canCancel = useCan("payouts.cancelPayout");
  const retry = useMutation(trpc.payouts.retryPayout.mutationOptions());
  const cancel = useMutation(trpc.payouts.cancelPayout.mutationOptions());
  type Row = (typeof rows)[number];
  const bulkActions: Array<BulkAction<Row>> = [
    ...(canRetry
      ? [
          {
            key: "retry",
            label: "Retry",
            eligible: (payout: Row) => payout.status === "failed",
            title: "Retry these payouts?",
            confirmLabel: (count: number) => `Retry ${count} payout${count === 1 ? "" : "s"}`,
            explanation:
              "Each amount is held on its wallet again and each payout is sent again now to its own destination, without waiting for a payout run, as a new request with its own key (the provider answered the last one with a final failure; late answers about it are ignored). To send one to another number, retry it on its own.",
            run: (payout: Row) => retry.mutateAsync({ payoutId: payout.id }),
          },
        ]
      : []),
    ...(canCancel
      ? [
          {
            key: "cancel",
            label: "Cancel",
            eligible: (payout: Row) => payout.status === "queued",
            title: "Cancel these payouts?",
            confirmLabel: (count: number) => `Cancel ${count} payout${count === 1 ? "" : "s"} and release the funds`,
            tone: "danger" as const,
            explanation: "Each held amount becomes available on its wallet again. This cannot be undone.",
            run: (payout: Row) => cancel.mutateAsync({ payoutId: payout.id }),
          },
        ]
      : []),
  ];

  const changeSort = (next: Sort<"createdAt" | "amount">) => {
    setSort(next);
    pages.reset();
    selection.clear();
  };

  const setFilter = <K extends keyof Filters>(key: K, value: Filters[K]) => {
    setFilters((f) => ({ ...f, [key]: value }));
    pages.reset();
    selection.clear();
  };

  return (
    <div className="flex flex-col gap-6">
      <Card
        id="payouts"
        title={batchId ? "Payouts in this run" : "Payouts"}
        description={
          <span>
            {sort.by === "amount" ? (sort.direction === "desc" ? "Largest first." : "Smallest first.") : sort.direction === "desc" ? "Newest first." : "Oldest first."}{" "}
            <span data-testid="stream-state" data-state={stream}>
              {stream === "open" ? "Updates live." : stream === "connecting" ? "Connecting to live updates…" : "Live updates reconnecting."}
            </span>
          </span>
        }
        actions={
          <>
            {batchId ? null : (
              <Link prefetch={false} href="/payouts/runs" className="self-center text-sm text-emerald-800 underline">
                Past runs
              </Link>
            )}
            <ExportCsvLink href={`/payouts/export${exportQuery ? `?${exportQuery}` : ""}`} />
            <ExportBankBatch />
            {canRun && !batchId ? <Button onClick={() => setRunOpen(true)}>Run payouts</Button> : null}
          </>
        }
      >
        <form className="mb-4 flex flex-wrap gap-4" aria-label="Filter payouts" onSubmit={(event) => event.preventDefault()}>
          <FilterSelect
            label="Status"
            allLabel="All statuses"
            options={payoutStatuses}
            value={filters.status}
            onChange={(value) => setFilter("status", value)}
          />
          <FilterSelect
            label="Destination"
            allLabel="All destinations"
            options={destinationTypes}
            optionLabels={destinationLabel}
            value={filters.destinationType}
            onChange={(value) => setFilter("destinationType", value)}
          />
          <FilterSelect
            label="Currency"
            allLabel="All currencies"
            options={payoutCurrencies}
            value={filters.currency}
            onChange={(value) => setFilter("currency", value)}
          />
          <div className="flex flex-col gap-1">
            <label htmlFor="payout-from" className="text-sm font-medium text-slate-700">
              Created from
            </label>
            <input
              id="payout-from"
              type="date"
              className={dateFieldClass}
              value={fromDay ?? ""}
              onChange={(event) => setFilter("fromDay", event.target.value || undefined)}
            />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor="payout-to" className="text-sm font-medium text-slate-700">
              Created to (inclusive, UTC)
            </label>
            <input
              id="payout-to"
              type="date"
              className={dateFieldClass}
              value={toDay ?? ""}
              onChange={(event) => setFilter("toDay", event.target.value || undefined)}
            />
          </div>
          <FilterSelect
            label="Partner"
            allLabel="All partners"
            options={partners.ids}
            optionLabels={partners.names}
            value={filters.partnerId}
            onChange={(value) => setFilter("partnerId", value)}
          />
        </form>

        {/* Outside the list's states: the dialog stays while the list empties under it. */}
        <BulkActionBar
          noun="payout"
          selected={selection.selected}
          actions={bulkActions}
          onClear={selection.clear}
          onFinished={() => void queryClient.invalidateQueries({ queryKey: trpc.payouts.pathKey() })}
        />
        {list.isPending ? (
          <LoadingRows label="Loading payouts…" />
        ) : list.isError ? (
          <QueryError error={list.error} what="the payouts" onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title={pages.page > 1 ? "No more payouts." : "No payouts match these filters."}>
            Partners schedule payouts with <code className="font-mono">POST /payouts</code>; they wait here, queued, for the next run.
          </EmptyState>
        ) : (
          <>
            <Table caption="Payouts" aria-busy={list.isFetching || undefined} data-testid="payouts-table">
              <THead>
                <tr>
                  {bulkActions.length > 0 ? (
                    <Th>
                      <input
                        type="checkbox"
                        aria-label="Select every payout on this page"
                        checked={selection.allChecked}
                        onChange={selection.toggleAll}
                        className="size-4 accent-emerald-700"
                      />
                    </Th>
                  ) : null}
                  {/* Amount and status first: they must stay in view when a tablet scrolls the table. */}
                  <Th>Payout</Th>
                  <SortHeader field="amount" sort={sort} onSort={changeSort} align="right">
                    Amount
                  </SortHeader>
                  <Th>Status</Th>
                  <Th>User</Th>
                  <Th>Partner</Th>
                  <Th>Destination</Th>
                  <Th align="right">Tries</Th>
                  <SortHeader field="createdAt" sort={sort} onSort={changeSort}>
                    Created
                  </SortHeader>
                  {/* Pinned to the right edge: Retry and Cancel stay in view even when a narrow screen scrolls the table. */}
                  <Th className="sticky right-0 bg-slate-50">Actions</Th>
                </tr>
              </THead>
              <TBody>
                {list.data.items.map((payout) => (
                  <Tr key={payout.id} data-payout-id={payout.id} data-status={payout.status} data-amount={payout.amount}>
                    {bulkActions.length > 0 ? (
                      <Td className="align-top">
                        <input
                          type="checkbox"
                          aria-label={`Select payout ${payout.id}`}
                          checked={selection.isChecked(payout.id)}
                          onChange={() => selection.toggle(payout.id)}
                          className="size-4 accent-emerald-700"
                        />
                      </Td>
                    ) : null}
                    <Td className="align-top">
                      <Link
                        prefetch={false}
                        href={`/payouts/${payout.id}`}
                        className="font-mono text-xs text-emerald-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-600"
                      >
                        {payout.id}
                      </Link>
                    </Td>
                    <Td align="right">
                      <Money amount={payout.amount} currency={payout.currency} />
                    </Td>
                    <Td>
                      <PayoutStatusPill status={payout.status} />
                      {payout.status === "failed" ? <FailureNote lastError={payout.lastError} compact /> : null}
                    </Td>
                    <Td>
                      <UserLink userId={payout.userId} />
                    </Td>
                    <Td>
                      <PartnerName partnerId={payout.partnerId} names={partners.names} />
                    </Td>
                    <Td className="whitespace-normal">
                      <span className="block text-xs text-slate-500">{destinationLabel[payout.destinationType]}</span>
                      <span className="whitespace-nowrap">{describeDestination(payout)}</span>
                    </Td>
                    <Td align="right">{payout.attempts}</Td>
                    <Td className="text-slate-600">
                      <DateTime iso={payout.createdAt} />
                    </Td>
                    <Td className="sticky right-0 bg-white">
                      <div className="flex gap-2">
                        <PayoutActions payout={payout} />
                      </div>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </>
        )}

        <Pager
          label="Payout pages"
          {...pages.pagerProps(list.data?.nextCursor)}
          busy={list.isFetching}
          previousLabel="Previous"
          nextLabel="Next"
        />
      </Card>

      {canRun && !batchId ? (
        <RunPayoutsDialog
          open={runOpen}
          onClose={() => {
            setRunOpen(false);
            void queryClient.invalidateQueries({ queryKey: trpc.payouts.pathKey() });
          }}
          subscribe={subscribe}
          streamLive={stream === "open"}
        />
      ) : null}
    </div>
  );
}
