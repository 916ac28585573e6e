"use client";
import { Card, DateTime, LoadingRows } from "@agrinet/ui";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ActorName } from "../../../../components/entity-links";
import { QueryError } from "../../../../components/query-error";
import { useTRPC } from "../../../../trpc/client";
import { RunTotals } from "../payout-runs-view";

export function PayoutRunSummary({ batchId }: { batchId: string }) {
  const trpc = useTRPC();
  const run = useQuery({
    ...trpc.payouts.getPayoutBatch.queryOptions({ batchId }),
    // Until every payout of the run is final, its counts move.
    refetchInterval: (query) => (query.state.data?.finishedAt ? false : 3_000),
  });
  if (run.isPending) return <LoadingRows label="Loading the run…" rows={3} />;
  if (run.isError) return <QueryError error={run.error} what="this payout run" onRetry={() => void run.refetch()} />;
  const r = run.data;
  return (
    <Card id="payout-run-summary" title="Summary">
      <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm" data-testid="payout-run-summary">
        <Row label="Started">
          <DateTime iso={r.createdAt} />
        </Row>
        <Row label="By">
          <ActorName actor={r.requestedBy} />
        </Row>
        <Row label="Finished">{r.finishedAt ? <DateTime iso={r.finishedAt} /> : "still going"}</Row>
        <Row label="Payouts">{`${r.total}: ${r.processed} paid, ${r.failed} failed or cancelled, ${r.queued} still going`}</Row>
        <Row label="Total">
          <span className="inline-flex">
            <RunTotals totals={r.totals} />
          </span>
        </Row>
      </dl>
    </Card>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-600">{label}</dt>
      <dd className="min-w-0 break-words text-slate-900">{children}</dd>
    </>
  );
}
