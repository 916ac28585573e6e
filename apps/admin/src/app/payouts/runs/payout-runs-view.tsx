"use client";
import { Card, DateTime, EmptyState, LoadingRows, Money, Pager, Table, TBody, THead, Td, Th, Tr, useKeysetPages } from "@agrinet/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ActorName } from "../../../components/entity-links";
import { QueryError } from "../../../components/query-error";
import { useTRPC } from "../../../trpc/client";

const pageSize = 25;

/** Amount per currency, one line each ("KES 1,800.00"). */
export function RunTotals({ totals }: { totals: Record<string, string> }) {
  const entries = Object.entries(totals);
  if (entries.length === 0) return <>—</>;
  return (
    <span className="flex flex-col items-end">
      {entries.map(([currency, amount]) => (
        <Money key={currency} amount={amount} currency={currency} />
      ))}
    </span>
  );
}

export function PayoutRunsView() {
  const trpc = useTRPC();
  const pages = useKeysetPages();
  const runs = useQuery({
    ...trpc.payouts.listPayoutBatches.queryOptions({ cursor: pages.cursor, limit: pageSize }),
    placeholderData: keepPreviousData,
  });

  return (
    <Card id="payout-runs" title="Runs">
      {runs.isPending ? (
        <LoadingRows label="Loading payout runs…" />
      ) : runs.isError ? (
        <QueryError error={runs.error} what="the payout runs" onRetry={() => void runs.refetch()} />
      ) : runs.data.items.length === 0 ? (
        <EmptyState title={pages.page > 1 ? "No more runs." : "No payout run yet."}>A run starts from the Payouts page, or from the scheduled job.</EmptyState>
      ) : (
        <Table caption="Payout runs" aria-busy={runs.isFetching || undefined} data-testid="payout-runs-table">
          <THead>
            <tr>
              <Th>Run</Th>
              <Th>Started</Th>
              <Th>By</Th>
              <Th align="right">Payouts</Th>
              <Th align="right">Paid</Th>
              <Th align="right">Failed</Th>
              <Th align="right">Still going</Th>
              <Th align="right">Total</Th>
            </tr>
          </THead>
          <TBody>
            {runs.data.items.map((run) => (
              <Tr key={run.batchId} data-batch-id={run.batchId}>
                <Td>
                  <Link prefetch={false} href={`/payouts/runs/${encodeURIComponent(run.batchId)}`} className="font-mono text-xs text-emerald-800 underline">
                    {run.batchId}
                  </Link>
                </Td>
                <Td className="text-slate-600">
                  <DateTime iso={run.createdAt} />
                </Td>
                <Td>
                  <ActorName actor={run.requestedBy} />
                </Td>
                <Td align="right">{run.total}</Td>
                <Td align="right" data-testid="run-paid">{run.processed}</Td>
                <Td align="right" data-testid="run-failed">{run.failed}</Td>
                <Td align="right">{run.queued}</Td>
                <Td align="right">
                  <RunTotals totals={run.totals} />
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
      <Pager label="Payout run pages" {...pages.pagerProps(runs.data?.nextCursor)} busy={runs.isFetching} previousLabel="Previous" nextLabel="Next" />
    </Card>
  );
}
