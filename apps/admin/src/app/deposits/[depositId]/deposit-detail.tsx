"use client";
import { DateTime, Button, Card, ConfirmDialog, Dialog, LoadingRows, Money } from "@agrinet/ui";
import type { AppRouter } from "@agrinet/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useState, type FormEvent, type ReactNode } from "react";
import { useCan } from "../../../auth/use-can";
import { FormActions } from "../../../components/form-controls";
import { PageHeader } from "../../../components/page-header";
import { QueryError } from "../../../components/query-error";
import { ActorName, UserLink } from "../../../components/entity-links";
import { useTRPC } from "../../../trpc/client";
import { creditedAccount, DepositStatus, methodLabel } from "../deposit-status";
import { MpesaPaymentPanel } from "./mpesa-payment-panel";
import { ReceiptUpload, type UploadedReceipt } from "./receipt-upload";

type Deposit = inferRouterOutputs<AppRouter>["deposits"]["get"];

const fieldClass =
  "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-emerald-600 focus:outline-2 focus:outline-emerald-600";

function errorMessage(error: unknown): string {
  const e = error as { message?: string; data?: { code?: string } | null };
  return e.data?.code ? `${e.message ?? "Refused"} (${e.data.code})` : "The API did not answer; nothing was changed.";
}

function when(iso: string | null) {
  return <DateTime iso={iso} />;
}

/** One deposit: what it is, its evidence, and (for operators) confirm / fail. */
export function DepositDetail({ depositId }: { depositId: string }) {
  const trpc = useTRPC();
  const deposit = useQuery({
    ...trpc.deposits.get.queryOptions({ depositId }),
    // An STK Push in flight changes on the payer's phone: follow it until it settles.
    refetchInterval: (query) => (query.state.data?.mpesaPayment && query.state.data.status === "pending" ? 2_000 : false),
  });

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/deposits" className="text-emerald-800 underline focus-visible:outline-2 focus-visible:outline-emerald-600">
          ← All deposits
        </Link>
      </p>
      <PageHeader title={deposit.data ? `Deposit ${deposit.data.reference}` : "Deposit"} />
      {deposit.isPending ? (
        <LoadingRows rows={6} label="Loading the deposit…" />
      ) : deposit.isError ? (
        <QueryError error={deposit.error} what="this deposit" onRetry={() => void deposit.refetch()} />
      ) : (
        <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
          <Summary deposit={deposit.data} />
          <div className="grid content-start gap-6">
            {deposit.data.mpesaPayment ? <MpesaPaymentPanel payment={deposit.data.mpesaPayment} /> : null}
            {deposit.data.status === "pending" ? <Actions deposit={deposit.data} /> : null}
            <Evidence deposit={deposit.data} />
          </div>
        </div>
      )}
    </>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-3 px-5 py-2.5">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="col-span-2 break-words text-sm text-slate-900">{children}</dd>
    </div>
  );
}

function Summary({ deposit }: { deposit: Deposit }) {
  return (
    <Card title="Details">
      <dl className="divide-y divide-slate-100" data-testid="deposit-summary">
        <Row label="Amount">
          <Money amount={deposit.amount} currency={deposit.currency} className="text-base font-semibold" />
        </Row>
        <Row label="Status">
          <span data-testid="deposit-status">
            <DepositStatus status={deposit.status} />
          </span>
        </Row>
        <Row label="Method">{methodLabel[deposit.method] ?? deposit.method}</Row>
        <Row label="Reference">
          <span className="font-mono">{deposit.reference}</span>
        </Row>
        <Row label="User">
          <UserLink userId={deposit.userId} className="font-mono" />
        </Row>
        <Row label={deposit.status === "confirmed" ? "Credited" : "Credits"}>
          <span className="font-mono text-xs">{creditedAccount(deposit)}</span>
        </Row>
        {deposit.contractId ? <Row label="Contract">{deposit.contractId}</Row> : null}
        <Row label="Created">{when(deposit.createdAt)}</Row>
        {deposit.confirmedAt ? (
          <Row label="Confirmed">
            {when(deposit.confirmedAt)} by <ActorName actor={deposit.confirmedBy} />
          </Row>
        ) : null}
        {deposit.failedAt ? <Row label="Failed">{when(deposit.failedAt)}</Row> : null}
        {deposit.failureReason ? <Row label="Failure reason">{deposit.failureReason}</Row> : null}
        {deposit.ledgerTransactionId ? (
          <Row label="Ledger transaction">
            <span className="font-mono text-xs">{deposit.ledgerTransactionId}</span>
          </Row>
        ) : null}
        {deposit.refundedAmount !== "0" ? (
          <Row label="Refunded">
            <Money amount={deposit.refundedAmount} currency={deposit.currency} />
          </Row>
        ) : null}
      </dl>
    </Card>
  );
}

function Evidence({ deposit }: { deposit: Deposit }) {
  const canSeeReceipts = useCan("deposits.confirm");
  const [previewFailed, setPreviewFailed] = useState(false);
  const receiptPath = deposit.receiptSha256 ? `/api/v1/uploads/receipts/${deposit.receiptSha256}` : null;
  return (
    <Card title="Evidence">
      <div className="grid gap-3 p-5 text-sm">
        {!deposit.evidenceUrl && !receiptPath ? <p className="text-slate-600">No evidence attached yet.</p> : null}
        {deposit.evidenceUrl ? (
          <p>
            Evidence:{" "}
            <a href={deposit.evidenceUrl} target="_blank" rel="noreferrer noopener" className="break-all text-emerald-800 underline">
              {deposit.evidenceUrl}
            </a>
          </p>
        ) : null}
        {receiptPath ? (
          canSeeReceipts ? (
            <div className="grid gap-2">
              <a href={receiptPath} target="_blank" rel="noreferrer" className="text-emerald-800 underline">
                Open the uploaded receipt
              </a>
              {previewFailed ? (
                <p className="text-slate-600">No preview for this file type (PDF); open it instead.</p>
              ) : (
                <img
                  src={receiptPath}
                  alt={`Receipt for deposit ${deposit.reference}`}
                  onError={() => setPreviewFailed(true)}
                  className="max-h-96 w-auto rounded border border-slate-200"
                />
              )}
            </div>
          ) : (
            <p className="text-slate-600">A receipt is attached; only admins and operators may view it.</p>
          )
        ) : null}
      </div>
    </Card>
  );
}

function Actions({ deposit }: { deposit: Deposit }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canConfirm = useCan("deposits.confirm");
  const canFail = useCan("deposits.fail");
  const [evidenceUrl, setEvidenceUrl] = useState("");
  const [receipt, setReceipt] = useState<UploadedReceipt | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [failing, setFailing] = useState(false);
  const [reason, setReason] = useState("");
  const [missingEvidence, setMissingEvidence] = useState(false);

  const settled = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.deposits.pathKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.system.getOverview.queryKey() });
  };
  const confirm = useMutation(
    trpc.deposits.confirm.mutationOptions({
      onSuccess: async () => {
        setConfirming(false);
        await settled();
      },
    }),
  );
  const fail = useMutation(
    trpc.deposits.fail.mutationOptions({
      onSuccess: async () => {
        setFailing(false);
        await settled();
      },
    }),
  );

  if (!canConfirm && !canFail) return null;
  const trimmedUrl = evidenceUrl.trim();

  function openConfirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!trimmedUrl && !receipt) {
      setMissingEvidence(true);
      return;
    }
    setMissingEvidence(false);
    confirm.reset();
    setConfirming(true);
  }

  return (
    <Card title="Review" description="Check the evidence against the amount before confirming: confirmation credits the ledger.">
      <div className="grid gap-5 p-5">
        {canConfirm ? (
          <form onSubmit={openConfirm} className="grid gap-3" aria-label="Confirm deposit">
            <ReceiptUpload
              onUploaded={(uploaded) => {
                setReceipt(uploaded);
                if (uploaded) setMissingEvidence(false);
              }}
              uploaded={receipt}
            />
            <div>
              <label htmlFor="evidence-url" className="text-sm font-medium text-slate-800">
                Evidence URL {receipt ? "(optional with a receipt)" : ""}
              </label>
              <input
                id="evidence-url"
                type="url"
                value={evidenceUrl}
                onChange={(event) => {
                  setEvidenceUrl(event.target.value);
                  if (event.target.value.trim()) setMissingEvidence(false);
                }}
                placeholder="https://…"
                aria-describedby={missingEvidence ? "evidence-missing" : undefined}
                aria-invalid={missingEvidence || undefined}
                className={fieldClass}
              />
              {missingEvidence ? (
                <p id="evidence-missing" role="alert" className="mt-1 text-sm text-red-800">
                  Upload a receipt or give an evidence URL: a deposit is confirmed only with evidence.
                </p>
              ) : null}
            </div>
            <div>
              <Button type="submit">Confirm deposit…</Button>
            </div>
          </form>
        ) : null}
        {canFail ? (
          <div className="border-t border-slate-200 pt-4">
            <Button
              variant="secondary"
              onClick={() => {
                fail.reset();
                setFailing(true);
              }}
            >
              Fail deposit…
            </Button>
          </div>
        ) : null}
      </div>

      <ConfirmDialog
        open={confirming}
        onCancel={() => setConfirming(false)}
        onConfirm={() =>
          confirm.mutate({
            depositId: deposit.id,
            evidenceUrl: trimmedUrl || undefined,
            receiptSha256: receipt?.sha256,
          })
        }
        title="Confirm this deposit?"
        summary={[
          { label: "Amount", value: <Money amount={deposit.amount} currency={deposit.currency} /> },
          { label: "Currency", value: deposit.currency },
          { label: "Account credited", value: <span className="font-mono text-xs">{creditedAccount(deposit)}</span> },
          { label: "User", value: <span className="font-mono text-xs">{deposit.userId}</span> },
          { label: "Reference", value: deposit.reference },
          { label: "Evidence", value: receipt ? `receipt ${receipt.sha256.slice(0, 12)}…` : trimmedUrl },
        ]}
        confirmLabel={`Confirm ${deposit.currency} deposit`}
        busy={confirm.isPending}
        error={confirm.isError ? errorMessage(confirm.error) : null}
      />

      <Dialog
        open={failing}
        onClose={() => {
          if (!fail.isPending) setFailing(false);
        }}
        title="Fail this deposit?"
        description="The deposit is closed without touching the ledger. The reason is shown to the partner and kept in the audit log."
      >
        <form
          className="grid gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            fail.mutate({ depositId: deposit.id, reason: reason.trim() });
          }}
        >
          <p className="text-sm">
            <Money amount={deposit.amount} currency={deposit.currency} className="font-medium" /> · {deposit.reference}
          </p>
          <div>
            <label htmlFor="fail-reason" className="text-sm font-medium text-slate-800">
              Reason
            </label>
            <textarea
              id="fail-reason"
              required
              maxLength={1000}
              rows={3}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              className={fieldClass}
            />
          </div>
          <FormActions
            error={fail.isError ? errorMessage(fail.error) : null}
            busy={fail.isPending}
            onCancel={() => setFailing(false)}
            submitLabel="Fail deposit"
            submitVariant="danger"
            submitDisabled={!reason.trim()}
          />
        </form>
      </Dialog>
    </Card>
  );
}
