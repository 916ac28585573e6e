"use client";
import { Button, Dialog, Money, ProgressBar, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { FilterSelect } from "../../components/filter-select";
import type { NotificationItem } from "../../notifications/use-notification-stream";
import { useTRPC } from "../../trpc/client";
import { actionError, destinationLabel, destinationTypes, payoutCurrencies, type DestinationType } from "./payout-display";

type Filters = { currency?: (typeof payoutCurrencies)[number]; destinationType?: DestinationType };
type FinalEvent = { payoutId: string; batchId: string; outcome: "paid" | "failed" };

const finalOutcome: Record<string, FinalEvent["outcome"] | undefined> = {
  "payout.paid": "paid",
  "payout.failed": "failed",
  "payout.cancelled": "failed",
};

/** Listens to the page's notification stream; returns the unsubscribe. */
export type SubscribeToNotifications = (listener: (notification: NotificationItem) => void) => () => void;

/**
 * "Run payouts": a dry run first (what would be paid, per currency), then the run itself,
 * followed live. The run answers at once with its batch id (waitSeconds 0); the bar counts the
 * batch's payout.paid / payout.failed events from the stream, and polling getPayoutBatch fills
 * in anything the stream missed (a reconnect, events from before the batch id was known).
 */
export function RunPayoutsDialog({
  open,
  onClose,
  subscribe,
  streamLive,
}: {
  open: boolean;
  onClose: () => void;
  subscribe: SubscribeToNotifications;
  streamLive: boolean;
}) {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({});
  const preview = useMutation(trpc.payouts.runPayouts.mutationOptions());
  const system = useQuery({ ...trpc.system.getStatus.queryOptions(), enabled: open, refetchInterval: open ? 10_000 : false });
  const run = useMutation(trpc.payouts.runPayouts.mutationOptions());
  // Outcomes by payout id, in a ref (a big batch sends thousands of events); `seenVersion`
  // re-renders at most once per animation frame.
  const outcomes = useRef(new Map<string, FinalEvent>());
  const [, setSeenVersion] = useState(0);
  const frame = useRef<number | null>(null);

  const { mutate: runPreview, reset: resetPreview } = preview;
  const { reset: resetRun } = run;
  useEffect(() => {
    if (!open) return;
    resetRun();
    outcomes.current.clear();
    runPreview({ ...filters, dryRun: true });
  }, [open, filters, runPreview, resetRun]);

  useEffect(() => {
    if (!open) {
      resetPreview();
      return;
    }
    // Collected from the moment the dialog opens: a fast batch may end before the run answers.
    return subscribe((notification) => {
      const outcome = finalOutcome[notification.type];
      const batchId = notification.data.batchId;
      if (!outcome || typeof batchId !== "string") return;
      outcomes.current.set(notification.aggregateId, { payoutId: notification.aggregateId, batchId, outcome });
      frame.current ??= requestAnimationFrame(() => {
        frame.current = null;
        setSeenVersion((v) => v + 1);
      });
    });
  }, [open, subscribe, resetPreview]);

  const started = run.data && !run.data.dryRun ? run.data : null;
  const batchId = started?.batchId;
  // Counted each render (setSeenVersion re-renders when the map changes): one run at most.
  let streamPaid = 0;
  let streamFailed = 0;
  for (const event of outcomes.current.values()) {
    if (event.batchId !== batchId) continue;
    if (event.outcome === "paid") streamPaid += 1;
    else streamFailed += 1;
  }

  const batch = useQuery({
    ...trpc.payouts.getPayoutBatch.queryOptions({ batchId: batchId ?? "" }),
    enabled: Boolean(batchId),
    // A supplement to the stream: slower while the stream is live, the only source when not.
    refetchInterval: (query) => (query.state.data?.finishedAt ? false : streamLive ? 3_000 : 1_000),
  });

  const total = started?.total ?? 0;
  const processed = Math.max(streamPaid, batch.data?.processed ?? 0, started?.processed ?? 0);
  const failed = Math.max(streamFailed, batch.data?.failed ?? 0, started?.failed ?? 0);
  const done = Math.min(processed + failed, total);
  const finished = Boolean(started) && (done >= total || Boolean(batch.data?.finishedAt));
  const stillQueued = finished && batch.data ? batch.data.queued : total - done;

  const phase = !started ? "preview" : finished ? "done" : "running";
  const dry = preview.data?.dryRun ? preview.data : null;

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={phase === "preview" ? "Run payouts" : phase === "running" ? "Paying out…" : "Payout run finished"}
      description={
        phase === "preview"
          ? "A dry run shows what would be paid. Nothing moves until you confirm."
          : phase === "running"
            ? "The worker is paying the batch. You can close this window: the run carries on."
            : undefined
      }
      className="w-[min(40rem,calc(100vw-2rem))]"
      footer={
        phase === "preview" ? (
          <>
            <Button variant="secondary" onClick={onClose} disabled={run.isPending}>
              Cancel
            </Button>
            <Button
              onClick={() => run.mutate({ ...filters, dryRun: false, waitSeconds: 0 })}
              busy={run.isPending}
              disabled={!dry || dry.count === 0 || preview.isPending}
            >
              {dry ? `Run ${dry.count} ${dry.count === 1 ? "payout" : "payouts"}` : "Run payouts"}
            </Button>
          </>
        ) : (
          <Button variant={phase === "done" ? "primary" : "secondary"} onClick={onClose}>
            Close
          </Button>
        )
      }
    >
      {phase === "preview" ? (
        <>
          <fieldset className="flex flex-wrap gap-4" disabled={run.isPending}>
            <legend className="sr-only">Which queued payouts to run</legend>
            <FilterSelect
              label="Currency"
              allLabel="All currencies"
              options={payoutCurrencies}
              value={filters.currency}
              onChange={(currency) => setFilters((f) => ({ ...f, currency }))}
            />
            <FilterSelect
              label="Destination"
              allLabel="All destinations"
              options={destinationTypes}
              optionLabels={destinationLabel}
              value={filters.destinationType}
              onChange={(destinationType) => setFilters((f) => ({ ...f, destinationType }))}
            />
          </fieldset>
          <DryRunPreview
            pending={preview.isPending}
            error={actionError(preview.error)}
            onRetry={() => preview.mutate({ ...filters, dryRun: true })}
            dry={dry}
          />
          {system.data?.worker === "offline" && !run.error ? (
            <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
              The payout worker is offline, so a run would be refused (WORKER_OFFLINE). Start it with{" "}
              <code className="font-mono">pnpm start</code> (or <code className="font-mono">pnpm --filter @agrinet/worker start</code>), then run.
            </p>
          ) : null}
          {run.error ? (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
              {actionError(run.error)}
            </p>
          ) : null}
        </>
      ) : (
        <div className="flex flex-col gap-4">
          <ProgressBar
            label="Payout run progress"
            value={done}
            max={total}
            valueText={`${done} of ${total} payouts`}
            tone={failed > 0 && phase === "done" && processed === 0 ? "danger" : "primary"}
          />
          {batchId ? (
            <p className="text-xs text-slate-500">
              Run{" "}
              <Link prefetch={false} href={`/payouts/runs/${encodeURIComponent(batchId)}`} className="font-mono text-emerald-800 underline" data-testid="run-link">
                {batchId}
              </Link>
            </p>
          ) : null}
          <dl
            data-testid="run-summary"
            aria-live="polite"
            className="grid grid-cols-3 gap-3 rounded-md border border-slate-200 p-3 text-sm"
          >
            <RunCount label="Paid" count={processed} testId="run-processed" color="text-emerald-800" />
            <RunCount label="Failed" count={failed} testId="run-failed" color="text-red-800" />
            <RunCount label="Queued" count={stillQueued} testId="run-queued" color="text-slate-900" />
          </dl>
          {phase === "done" ? (
            <p role="status" className="text-sm text-slate-700">
              {`Run finished: ${processed} paid, ${failed} failed, ${stillQueued} still queued.`}
            </p>
          ) : !streamLive ? (
            <p className="text-sm text-amber-800">The live stream is reconnecting; progress is read every second meanwhile.</p>
          ) : null}
          {batch.error && !finished ? (
            <p role="alert" className="text-sm text-red-800">
              Could not read the batch&apos;s progress: {actionError(batch.error)}
            </p>
          ) : null}
        </div>
      )}
    </Dialog>
  );
}

function RunCount({ label, count, testId, color }: { label: string; count: number; testId: string; color: string }) {
  return (
    <div>
      <dt className="text-slate-600">{label}</dt>
      <dd className={`text-lg font-semibold ${color}`} data-testid={testId}>
        {count}
      </dd>
    </div>
  );
}

function DryRunPreview({
  pending,
  error,
  onRetry,
  dry,
}: {
  pending: boolean;
  error: string | null;
  onRetry: () => void;
  dry: { count: number; totals: Array<{ currency: string; count: number; amount: string }> } | null;
}) {
  if (pending) {
    return (
      <p role="status" className="text-sm text-slate-600">
        Counting the queued payouts…
      </p>
    );
  }
  if (error) {
    return (
      <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
        <p>Could not preview the run: {error}</p>
        <Button variant="secondary" size="sm" className="mt-2" onClick={onRetry}>
          Try again
        </Button>
      </div>
    );
  }
  if (!dry) return null;
  return (
    <div className="flex flex-col gap-3" data-testid="dry-run">
      <p className="text-sm text-slate-900" role="status">
        <span className="text-2xl font-semibold" data-testid="dry-run-count">
          {dry.count}
        </span>{" "}
        {dry.count === 1 ? "queued payout would be paid." : "queued payouts would be paid."}
      </p>
      {dry.totals.length ? (
        <Table caption="Totals per currency">
          <THead>
            <tr>
              <Th>Currency</Th>
              <Th align="right">Payouts</Th>
              <Th align="right">Total</Th>
            </tr>
          </THead>
          <TBody>
            {dry.totals.map((total) => (
              <Tr key={total.currency}>
                <Td>{total.currency}</Td>
                <Td align="right">{total.count}</Td>
                <Td align="right">
                  <Money amount={total.amount} currency={total.currency} />
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      ) : (
        <p className="text-sm text-slate-600">Nothing is queued for these filters.</p>
      )}
    </div>
  );
}
