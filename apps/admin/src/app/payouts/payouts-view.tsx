"use client";
import { Button, Card, DateTime, EmptyState, LoadingRows, Money, Pager, Table, TBody, THead, Td, Th, Tr, useKeysetPages } from "@agrinet/ui";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
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
import { UserLink } from "../../components/entity-links";
import { PartnerName, usePartners } from "../../components/partner-filter";

const pageSize = 25;
type Filters = { status?: PayoutStatus; destinationType?: DestinationType; currency?: (typeof payoutCurrencies)[number]; partnerId?: string };

export function PayoutsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canRun = useCan("payouts.runPayouts");
  const [filters, setFilters] = useState<Filters>({});
  const pages = useKeysetPages();
  const partners = usePartners();
  const [runOpen, setRunOpen] = useState(false);

  const list = useQuery({
    ...trpc.payouts.listPayouts.queryOptions({ ...filters, cursor: pages.cursor, limit: pageSize }),
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

  const setFilter = <K extends keyof Filters>(key: K, value: Filters[K]) => {
    setFilters((f) => ({ ...f, [key]: value }));
    pages.reset();
  };

  return (
    <div className="flex flex-col gap-6">
      <Card
        id="payouts"
        title="Payouts"
        description={
          <span>
            Newest first.{" "}
            <span data-testid="stream-state" data-state={stream}>
              {stream === "open" ? "Updates live." : stream === "connecting" ? "Connecting to live updates…" : "Live updates reconnecting."}
            </span>
          </span>
        }
        actions={
          <>
            <ExportBankBatch />
            {canRun ? <Button onClick={() => setRunOpen(true)}>Run payouts</Button> : null}
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
          <FilterSelect
            label="Partner"
            allLabel="All partners"
            options={partners.ids}
            optionLabels={partners.names}
            value={filters.partnerId}
            onChange={(value) => setFilter("partnerId", value)}
          />
        </form>

        {list.isPending ? (
          <LoadingRows label="Loading payouts…" />
        ) : list.isError ? (
          <QueryError error={list.error} what="the payouts" onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title={pages.page > 1 ? "No more payouts." : "No payouts match these filters."}>
            Partners schedule payouts with <code className="font-mono">POST /payouts</code>; they wait here, queued, for the next run.
          </EmptyState>
        ) : (
          <Table caption="Payouts" aria-busy={list.isFetching || undefined} data-testid="payouts-table">
            <THead>
              <tr>
                {/* Amount and status first: they must stay in view when a tablet scrolls the table. */}
                <Th>Payout</Th>
                <Th align="right">Amount</Th>
                <Th>Status</Th>
                <Th>User</Th>
                <Th>Partner</Th>
                <Th>Destination</Th>
                <Th align="right">Tries</Th>
                <Th>Created</Th>
                {/* Pinned to the right edge: Retry and Cancel stay in view even when a narrow screen scrolls the table. */}
                <Th className="sticky right-0 bg-slate-50">Actions</Th>
              </tr>
            </THead>
            <TBody>
              {list.data.items.map((payout) => (
                <Tr key={payout.id} data-payout-id={payout.id} data-status={payout.status}>
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
        )}

        <Pager
          label="Payout pages"
          {...pages.pagerProps(list.data?.nextCursor)}
          busy={list.isFetching}
          previousLabel="Previous"
          nextLabel="Next"
        />
      </Card>

      {canRun ? (
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
