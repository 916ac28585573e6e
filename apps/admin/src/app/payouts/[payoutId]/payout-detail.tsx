"use client";
import { Card, LoadingRows, Money, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, type ReactNode } from "react";
import { QueryError } from "../../../components/query-error";
import { useTRPC } from "../../../trpc/client";
import { MarkBankPayout, PayoutActions } from "../payout-actions";
import { describeDestination, destinationLabel, FailureNote, formatDateTime, PayoutStatusPill, type DestinationType, type PayoutItem } from "../payout-display";
import { EntityLink, UserLink } from "../../../components/entity-links";

const finalStatuses = new Set(["paid", "failed", "cancelled"]);

type SnapshotBalance = { account: string; currency: string; posted?: string; held?: string; available?: string; amount?: string; postedAfter?: string };
type LedgerSnapshot = { ledgerTransactionId: string | null; takenAt: string; balances: SnapshotBalance[] };

function isSnapshot(value: unknown): value is LedgerSnapshot {
  return typeof value === "object" && value !== null && Array.isArray((value as LedgerSnapshot).balances);
}

export function PayoutDetail({ payoutId }: { payoutId: string }) {
  const trpc = useTRPC();
  const payout = useQuery({
    ...trpc.payouts.getPayout.queryOptions({ payoutId }),
    // Until it is final, the worker may change it at any moment.
    refetchInterval: (query) => (query.state.data && finalStatuses.has(query.state.data.status) ? false : 3_000),
  });

  if (payout.isPending) return <LoadingRows label="Loading the payout…" rows={6} />;
  if (payout.isError) return <QueryError error={payout.error} what="this payout" onRetry={() => void payout.refetch()} />;
  const p = payout.data;

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card
        id="payout-summary"
        title="Summary"
        actions={
          <>
            <PayoutStatusPill status={p.status} />
            <PayoutActions payout={p} />
            <MarkBankPayout payout={p} />
          </>
        }
      >
        <p className="mb-4 text-2xl font-semibold text-slate-900" data-testid="payout-amount">
          <Money amount={p.amount} currency={p.currency} />
        </p>
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
          <Row label="Destination">{`${destinationLabel[p.destinationType]} ${describeDestination(p)}`}</Row>
          <Row label="User">
            <UserLink userId={p.userId} />
          </Row>
          <Row label="Reference">{p.reference}</Row>
          <Row label="Contract">{p.contractId ? <EntityLink target={`contract:${p.contractId}`} /> : "—"}</Row>
          <Row label="Run">
            {p.batchId ? (
              <Link prefetch={false} href={`/payouts/runs/${encodeURIComponent(p.batchId)}`} className="font-mono text-xs text-emerald-800 underline" data-testid="batch-link">
                {p.batchId}
              </Link>
            ) : (
              "not run yet"
            )}
          </Row>
          <Row label="Provider reference">{p.providerReference ? <span className="font-mono text-xs" data-testid="provider-reference">{p.providerReference}</span> : "—"}</Row>
          <Row label="Attempts">{p.attempts}</Row>
          <Row label={p.status === "cancelled" ? "Reason" : "Last error"}>{p.lastError ? <FailureNote lastError={p.lastError} /> : "—"}</Row>
        </dl>
      </Card>
      <Card id="payout-timeline" title="Timeline">
        <Timeline payout={p} />
      </Card>
      <Card id="payout-attempts" title="Attempts" className="lg:col-span-2" description="Every attempt at paying this payout, first to last, with the rail's answer.">
        <Attempts payoutId={p.id} version={`${p.status}:${p.attempts}:${p.updatedAt}`} destinationType={p.destinationType} />
      </Card>
      <Card id="payout-ledger" title="Ledger snapshot" className="lg:col-span-2" description="Balances recorded with the payout's last ledger movement.">
        <Snapshot snapshot={p.ledgerSnapshot} />
      </Card>
    </div>
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

function Timeline({ payout }: { payout: PayoutItem }) {
  const steps: Array<{ key: string; label: string; at: string | null; detail?: ReactNode; tone: string }> = [
    { key: "queued", label: "Queued", at: payout.createdAt, detail: "The amount was held on the wallet.", tone: "bg-sky-500" },
  ];
  if (payout.processingAt) {
    steps.push({
      key: "processing",
      label: "Processing",
      at: payout.processingAt,
      detail: `${payout.attempts} ${payout.attempts === 1 ? "attempt" : "attempts"} with ${destinationLabel[payout.destinationType]}.`,
      tone: "bg-amber-500",
    });
  }
  if (payout.paidAt) {
    steps.push({
      key: "paid",
      label: "Paid",
      at: payout.paidAt,
      detail: payout.providerReference ? `Provider reference ${payout.providerReference}.` : undefined,
      tone: "bg-emerald-500",
    });
  }
  if (payout.failedAt) {
    steps.push({ key: "failed", label: "Failed", at: payout.failedAt, detail: <FailureNote lastError={payout.lastError} />, tone: "bg-red-500" });
  }
  if (payout.cancelledAt) {
    steps.push({ key: "cancelled", label: "Cancelled", at: payout.cancelledAt, detail: "The hold was released.", tone: "bg-slate-400" });
  }
  if (!finalStatuses.has(payout.status)) {
    steps.push({
      key: "next",
      label: payout.status === "queued" ? "Waiting for a payout run" : "Waiting for the provider",
      at: null,
      detail: payout.lastError ? <FailureNote lastError={payout.lastError} /> : undefined,
      tone: "bg-slate-200",
    });
  }
  return (
    <ol className="relative flex flex-col gap-4 border-l border-slate-200 pl-5" aria-label="Payout timeline">
      {steps.map((step) => (
        <li key={step.key} className="relative" data-step={step.key}>
          <span aria-hidden="true" className={`absolute -left-[1.6rem] top-1 size-2.5 rounded-full ring-4 ring-white ${step.tone}`} />
          <p className="text-sm font-medium text-slate-900">{step.label}</p>
          {step.at ? (
            <p className="text-xs text-slate-500">
              <time dateTime={step.at}>{formatDateTime(step.at)}</time>
            </p>
          ) : null}
          {step.detail ? <div className="mt-1 text-sm text-slate-700">{step.detail}</div> : null}
        </li>
      ))}
    </ol>
  );
}

const attemptOutcome: Record<string, { label: string; tone: string }> = {
  paid: { label: "Paid", tone: "bg-emerald-500" },
  failed: { label: "Failed", tone: "bg-red-500" },
  cancelled: { label: "Cancelled", tone: "bg-slate-400" },
  retried: { label: "Not paid; tried again", tone: "bg-amber-500" },
};

function Attempts({ payoutId, version, destinationType }: { payoutId: string; version: string; destinationType: PayoutItem["destinationType"] }) {
  const trpc = useTRPC();
  const attempts = useQuery(trpc.payouts.listPayoutAttempts.queryOptions({ payoutId }));
  const { refetch } = attempts;
  // `version` changes whenever the payout does: the list follows the payout's own polling.
  useEffect(() => {
    void refetch();
  }, [version, refetch]);
  if (attempts.isPending) return <LoadingRows label="Loading the attempts…" rows={2} />;
  if (attempts.isError) return <QueryError error={attempts.error} what="the attempts" onRetry={() => void attempts.refetch()} />;
  const list = attempts.data.attempts;
  if (list.length === 0) return <p className="text-sm text-slate-600">Not sent yet: a payout run takes it.</p>;
  return (
    <ol className="relative flex flex-col gap-4 border-l border-slate-200 pl-5" aria-label="Payout attempts" data-testid="payout-attempts">
      {list.map((attempt) => {
        const outcome = attempt.outcome ? attemptOutcome[attempt.outcome]! : { label: "Waiting for the provider's answer", tone: "bg-slate-300" };
        return (
          <li key={attempt.attempt} className="relative" data-testid="payout-attempt" data-outcome={attempt.outcome ?? "open"}>
            <span aria-hidden="true" className={`absolute -left-[1.6rem] top-1 size-2.5 rounded-full ring-4 ring-white ${outcome.tone}`} />
            <p className="text-sm font-medium text-slate-900">
              Attempt {attempt.attempt}: {outcome.label}
            </p>
            <p className="text-xs text-slate-500">
              <time dateTime={attempt.startedAt}>{formatDateTime(attempt.startedAt)}</time>
              {attempt.finishedAt ? (
                <>
                  {" → "}
                  <time dateTime={attempt.finishedAt}>{formatDateTime(attempt.finishedAt)}</time>
                </>
              ) : null}
              {" · to "}
              {destinationLabel[attemptType(attempt.destination, destinationType)]}{" "}
              {describeDestination({ destination: attempt.destination, destinationType: attemptType(attempt.destination, destinationType) })}
            </p>
            {attempt.error ? <FailureNote lastError={attempt.error} /> : null}
            <p className="mt-1 text-xs text-slate-600">
              {attempt.providerReference ? <>Receipt <span className="font-mono">{attempt.providerReference}</span>. </> : null}
              Request key <span className="font-mono" data-testid="attempt-provider-key">{attempt.providerKey}</span>
              {attempt.providerRequestId ? <>, provider request <span className="font-mono">{attempt.providerRequestId}</span></> : null}.
            </p>
          </li>
        );
      })}
    </ol>
  );
}

/** An attempt went where its own destination says (a retry may have changed the payout's). */
function attemptType(destination: Record<string, unknown>, fallback: DestinationType): DestinationType {
  return destination.type === "mpesa" || destination.type === "stripe" || destination.type === "bank" ? destination.type : fallback;
}

function Snapshot({ snapshot }: { snapshot: unknown }) {
  if (!isSnapshot(snapshot)) {
    return <p className="text-sm text-slate-600">No ledger movement recorded yet: the funds are held on the wallet until the payout is paid or released.</p>;
  }
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-slate-600">
        {snapshot.ledgerTransactionId ? `Ledger transaction ${snapshot.ledgerTransactionId}, ` : null}
        taken <time dateTime={snapshot.takenAt}>{formatDateTime(snapshot.takenAt)}</time>
      </p>
      <Table caption="Ledger snapshot">
        <THead>
          <tr>
            <Th>Account</Th>
            {snapshot.balances.some((b) => b.amount !== undefined) ? (
              <>
                <Th align="right">Posting</Th>
                <Th align="right">Balance after</Th>
              </>
            ) : (
              <>
                <Th align="right">Posted</Th>
                <Th align="right">Held</Th>
                <Th align="right">Available</Th>
              </>
            )}
          </tr>
        </THead>
        <TBody>
          {snapshot.balances.map((balance) => (
            <Tr key={balance.account}>
              <Td className="font-mono text-xs">{balance.account}</Td>
              {balance.amount !== undefined ? (
                <>
                  <Td align="right"><Money amount={balance.amount} currency={balance.currency} /></Td>
                  <Td align="right"><Money amount={balance.postedAfter ?? ""} currency={balance.currency} /></Td>
                </>
              ) : (
                <>
                  <Td align="right"><Money amount={balance.posted ?? ""} currency={balance.currency} /></Td>
                  <Td align="right"><Money amount={balance.held ?? ""} currency={balance.currency} /></Td>
                  <Td align="right"><Money amount={balance.available ?? ""} currency={balance.currency} /></Td>
                </>
              )}
            </Tr>
          ))}
        </TBody>
      </Table>
    </div>
  );
}
