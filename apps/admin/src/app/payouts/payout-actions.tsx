"use client";
import { Button, ConfirmDialog, Money } from "@agrinet/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../auth/use-can";
import { useTRPC } from "../../trpc/client";
import { actionError, describeDestination, destinationLabel, FailureNote, type PayoutItem } from "./payout-display";

/** Refreshes every payouts query (lists, details, batches) after a change. */
function useInvalidatePayouts() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.payouts.pathKey() });
}

function payoutSummary(payout: PayoutItem) {
  return [
    { label: "Payout", value: <span className="font-mono text-xs">{payout.id}</span> },
    { label: "User", value: payout.userId },
    { label: "Amount", value: <Money amount={payout.amount} currency={payout.currency} /> },
    { label: "Destination", value: `${destinationLabel[payout.destinationType]} ${describeDestination(payout)}` },
  ];
}

const providerName: Record<PayoutItem["destinationType"], string> = { mpesa: "M-Pesa", stripe: "Stripe", bank: "The bank" };

/**
 * What a retry will do, exactly: a processing payout's request is asked about and re-sent under
 * its own key only if never received; a failed payout goes as a new request (its own provider
 * key), to the same destination or the new one.
 */
function RetryPlan({ payout, newAccount }: { payout: PayoutItem; newAccount: string | null }) {
  const label = destinationLabel[payout.destinationType];
  const target = `${label} ${newAccount ?? describeDestination(payout)}`;
  const provider = providerName[payout.destinationType];
  if (payout.status === "processing") {
    return (
      <p className="text-sm text-slate-700" data-testid="retry-plan">
        {provider} is asked now about this payout&apos;s request <code className="text-xs">{payout.providerKey}</code>; only if it never received it is the same
        request sent again to {target}, so it cannot be paid twice. The destination cannot change while the outcome is unknown.
      </p>
    );
  }
  const nextKey = `${payout.id}-a${payout.attempts + 1}`;
  return (
    <div className="grid gap-2 text-sm text-slate-700" data-testid="retry-plan">
      <p>
        The amount (<Money amount={payout.amount} currency={payout.currency} />) is held on {payout.userId}&apos;s wallet again and the payout is sent again now to{" "}
        {target}, without waiting for a payout run.
      </p>
      {payout.destinationType === "bank" ? null : (
        <p>
          It goes as a new {provider} request, <code className="text-xs">{nextKey}</code>: {provider} answered the last request (
          <code className="text-xs">{payout.providerKey}</code>) with a final failure, so nothing can be paid under it, and any late answer about it is
          ignored.
        </p>
      )}
      {newAccount ? (
        <p data-testid="retry-destination-change">
          {newAccount} replaces {describeDestination(payout)}: it is saved as a payout destination of {payout.userId}, and the change is recorded in the
          audit log under your name.
        </p>
      ) : null}
    </div>
  );
}

/** Retry (failed) and Cancel (queued), each behind a dialog restating the payout. */
export function PayoutActions({ payout, size = "sm" }: { payout: PayoutItem; size?: "sm" | "md" }) {
  const trpc = useTRPC();
  const invalidate = useInvalidatePayouts();
  const canRetry = useCan("payouts.retryPayout");
  const canCancel = useCan("payouts.cancelPayout");
  const [dialog, setDialog] = useState<"retry" | "cancel" | null>(null);
  const close = () => setDialog(null);
  const retry = useMutation(trpc.payouts.retryPayout.mutationOptions({ onSuccess: () => (close(), invalidate()) }));
  const [newAccount, setNewAccount] = useState("");
  // Only a failed payout may go elsewhere (while an outcome is unknown the first destination may
  // still be paid); bank details have more fields than this dialog asks for.
  const changeable = payout.status === "failed" && (payout.destinationType === "mpesa" || payout.destinationType === "stripe");
  const trimmedAccount = newAccount.trim();
  const newDestination =
    changeable && trimmedAccount && trimmedAccount !== describeDestination(payout)
      ? payout.destinationType === "mpesa"
        ? { type: "mpesa" as const, account: trimmedAccount }
        : { type: "stripe" as const, account: trimmedAccount }
      : undefined;
  const cancel = useMutation(trpc.payouts.cancelPayout.mutationOptions({ onSuccess: () => (close(), invalidate()) }));

  const offerRetry = canRetry && payout.status === "failed";
  const offerCancel = canCancel && payout.status === "queued";
  if (!offerRetry && !offerCancel) return null;

  return (
    <>
      {offerRetry ? (
        <Button variant="secondary" size={size} onClick={() => (retry.reset(), setNewAccount(""), setDialog("retry"))} aria-label={`Retry payout ${payout.id}`}>
          Retry
        </Button>
      ) : null}
      {offerCancel ? (
        <Button variant="secondary" size={size} onClick={() => (cancel.reset(), setDialog("cancel"))} aria-label={`Cancel payout ${payout.id}`}>
          Cancel
        </Button>
      ) : null}
      <ConfirmDialog
        open={dialog === "retry"}
        onCancel={close}
        onConfirm={() => retry.mutate({ payoutId: payout.id, ...(newDestination ? { destination: newDestination } : {}) })}
        title="Retry this payout?"
        summary={payoutSummary(payout)}
        confirmLabel={newDestination ? `Retry payout to ${newAccount.trim()}` : "Retry payout"}
        busy={retry.isPending}
        error={actionError(retry.error)}
      >
        {changeable ? (
          <label className="mb-3 flex flex-col gap-1 text-sm font-medium text-slate-700">
            {payout.destinationType === "mpesa" ? "Send to another M-Pesa number (optional)" : "Send to another Stripe account (optional)"}
            <input
              value={newAccount}
              onChange={(event) => setNewAccount(event.target.value)}
              placeholder={payout.destinationType === "mpesa" ? "+254712345678" : "acct_…"}
              maxLength={64}
              inputMode={payout.destinationType === "mpesa" ? "tel" : "text"}
              className="rounded-md border border-slate-300 px-2 py-1.5 text-sm font-normal"
            />
          </label>
        ) : null}
        <RetryPlan payout={payout} newAccount={newDestination ? newAccount.trim() : null} />
        {payout.lastError ? (
          <div className="mt-2 text-sm">
            <span className="text-slate-600">Why it failed: </span>
            <FailureNote lastError={payout.lastError} />
          </div>
        ) : null}
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === "cancel"}
        onCancel={close}
        onConfirm={() => cancel.mutate({ payoutId: payout.id })}
        title="Cancel this payout?"
        summary={payoutSummary(payout)}
        confirmLabel="Cancel payout and release the funds"
        tone="danger"
        busy={cancel.isPending}
        error={actionError(cancel.error)}
      >
        <p className="text-sm text-slate-600">The held amount becomes available on the wallet again. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}

/** An exported bank payout is completed by hand: paid with the bank's receipt, or failed with a reason. */
export function MarkBankPayout({ payout }: { payout: PayoutItem }) {
  const trpc = useTRPC();
  const invalidate = useInvalidatePayouts();
  const can = useCan("payouts.markBankPayout");
  const [dialog, setDialog] = useState<"paid" | "failed" | null>(null);
  const [text, setText] = useState("");
  const close = () => setDialog(null);
  const mark = useMutation(trpc.payouts.markBankPayout.mutationOptions({ onSuccess: () => (close(), invalidate()) }));
  if (!can || payout.destinationType !== "bank" || payout.status !== "processing") return null;

  const open = (outcome: "paid" | "failed") => {
    mark.reset();
    setText("");
    setDialog(outcome);
  };
  const paid = dialog === "paid";
  return (
    <>
      <Button size="sm" onClick={() => open("paid")}>
        Mark paid
      </Button>
      <Button size="sm" variant="secondary" onClick={() => open("failed")}>
        Mark failed
      </Button>
      <ConfirmDialog
        open={dialog !== null}
        onCancel={close}
        onConfirm={() =>
          mark.mutate(
            paid
              ? { payoutId: payout.id, outcome: "paid", receipt: text }
              : { payoutId: payout.id, outcome: "failed", reason: text },
          )
        }
        title={paid ? "Mark this bank payout paid?" : "Mark this bank payout failed?"}
        summary={payoutSummary(payout)}
        confirmLabel={paid ? "Mark paid" : "Mark failed and release the funds"}
        tone={paid ? "primary" : "danger"}
        busy={mark.isPending}
        error={actionError(mark.error)}
      >
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          {paid ? "Bank receipt or reference" : "Reason"}
          <input
            required
            value={text}
            onChange={(event) => setText(event.target.value)}
            maxLength={paid ? 200 : 500}
            className="rounded-md border border-slate-300 px-2 py-1.5 text-sm font-normal"
          />
        </label>
      </ConfirmDialog>
    </>
  );
}

/** Exports the bank payouts not yet exported as the CSV the bank's portal takes, and downloads it. */
export function ExportBankBatch() {
  const trpc = useTRPC();
  const invalidate = useInvalidatePayouts();
  const can = useCan("payouts.exportBankBatch");
  const [open, setOpen] = useState(false);
  const exporter = useMutation(
    trpc.payouts.exportBankBatch.mutationOptions({
      onSuccess: (result) => {
        invalidate();
        if (result.count === 0) return;
        const url = URL.createObjectURL(new Blob([result.csv], { type: "text/csv" }));
        const link = document.createElement("a");
        link.href = url;
        link.download = `bank-payouts-${result.batchId}.csv`;
        link.click();
        URL.revokeObjectURL(url);
      },
    }),
  );
  if (!can) return null;
  const result = exporter.data;
  return (
    <>
      <Button variant="secondary" onClick={() => (exporter.reset(), setOpen(true))}>
        Export bank batch
      </Button>
      <ConfirmDialog
        open={open}
        onCancel={() => setOpen(false)}
        onConfirm={() => (result ? setOpen(false) : exporter.mutate({}))}
        title="Export bank payouts"
        summary={
          result
            ? [
                { label: "Batch", value: <span className="font-mono text-xs">{result.batchId}</span> },
                { label: "Payouts", value: result.count },
                ...Object.entries(result.totals).map(([currency, amount]) => ({
                  label: `Total ${currency}`,
                  value: <Money amount={amount} currency={currency} />,
                })),
              ]
            : [{ label: "Takes", value: "every bank payout not yet exported" }]
        }
        confirmLabel={result ? "Done" : "Export CSV"}
        busy={exporter.isPending}
        error={actionError(exporter.error)}
      >
        <p className="text-sm text-slate-600" role={result ? "status" : undefined}>
          {result
            ? result.count === 0
              ? "No bank payouts were waiting to be exported."
              : `The CSV was downloaded. Pay it in the bank's portal, then mark each payout paid (with the bank's receipt) or failed.`
            : "The exported payouts move to processing; the worker leaves them to you. Mark each one paid or failed once the bank has answered."}
        </p>
      </ConfirmDialog>
    </>
  );
}
