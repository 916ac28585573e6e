"use client";
import { formatMinorUnits, isSupportedCurrency } from "@agrinet/core/money";
import { Button, ConfirmDialog, Money } from "@agrinet/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { useCan } from "../../auth/use-can";
import { useTRPC } from "../../trpc/client";
import { accountHref } from "../ledger/ledger-filters";

type Dispute = {
  id: string;
  escrowBalance: string;
  contract: { id: string; consumerId: string; producerId: string; currency: string };
};

type Resolution = "release" | "refund";

function recipientOf(dispute: Dispute, resolution: Resolution) {
  const userId = resolution === "release" ? dispute.contract.producerId : dispute.contract.consumerId;
  return { userId, account: `user:${userId}:wallet:${dispute.contract.currency}` };
}

function amountText(dispute: Dispute): string {
  const { currency } = dispute.contract;
  return isSupportedCurrency(currency)
    ? `${currency} ${formatMinorUnits(BigInt(dispute.escrowBalance), currency)}`
    : `${dispute.escrowBalance} ${currency}`;
}

/**
 * Release or refund a dispute's frozen escrow, each through a dialog that restates the amount,
 * currency and who receives it. Offered only to callers the server lets resolve disputes.
 */
export function ResolveDisputeActions({ dispute }: { dispute: Dispute }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canResolve = useCan("disputes.resolve");
  const noteId = useId();
  const [choice, setChoice] = useState<Resolution | null>(null);
  const [note, setNote] = useState("");
  const [done, setDone] = useState<{ resolution: Resolution; amount: string; transactionId: string | null } | null>(null);
  const resolve = useMutation(
    trpc.disputes.resolve.mutationOptions({
      onSuccess: async (result) => {
        setDone({ resolution: result.resolution, amount: result.amount, transactionId: result.ledgerTransactionId });
        setChoice(null);
        setNote("");
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.disputes.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.contracts.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.transactions.pathKey() }),
        ]);
      },
    }),
  );

  if (done) {
    const recipient = recipientOf(dispute, done.resolution);
    return (
      <div role="status" className="text-sm text-emerald-900" data-testid="dispute-resolved">
        {done.resolution === "release" ? "Released" : "Refunded"}{" "}
        <Money amount={done.amount} currency={dispute.contract.currency} /> to {recipient.userId}.{" "}
        <Link className="font-medium underline" href={`/ledger?account=${encodeURIComponent(recipient.account)}`}>
          See the ledger movement
        </Link>
      </div>
    );
  }
  if (!canResolve) return null;

  const recipient = choice ? recipientOf(dispute, choice) : null;
  const amount = <Money amount={dispute.escrowBalance} currency={dispute.contract.currency} />;
  return (
    <>
      <div className="flex flex-wrap gap-2">
        <Button size="sm" onClick={() => setChoice("release")} aria-label={`Resolve ${dispute.id} by releasing to the producer`}>
          Resolve: release
        </Button>
        <Button
          size="sm"
          variant="danger"
          onClick={() => setChoice("refund")}
          aria-label={`Resolve ${dispute.id} by refunding the consumer`}
        >
          Resolve: refund
        </Button>
      </div>
      <ConfirmDialog
        open={choice !== null}
        onCancel={() => {
          setChoice(null);
          resolve.reset();
        }}
        onConfirm={() => choice && resolve.mutate({ disputeId: dispute.id, resolution: choice, note: note.trim() || undefined })}
        title={choice === "release" ? "Release the escrow to the producer?" : "Refund the escrow to the consumer?"}
        tone={choice === "refund" ? "danger" : "primary"}
        busy={resolve.isPending}
        error={resolve.error?.message ?? null}
        confirmLabel={`${choice === "release" ? "Release" : "Refund"} ${amountText(dispute)} to ${recipient?.userId ?? ""}`}
        summary={[
          { label: "Contract", value: dispute.contract.id },
          { label: "Dispute", value: dispute.id },
          { label: "Amount", value: amount },
          { label: "Currency", value: dispute.contract.currency },
          { label: "Paid to", value: recipient ? `${recipient.userId} (${choice === "release" ? "producer" : "consumer"})` : "" },
          {
            label: "Account credited",
            value: recipient ? (
              <Link className="font-mono text-xs underline" href={accountHref(recipient.account)}>
                {recipient.account}
              </Link>
            ) : (
              ""
            ),
          },
        ]}
      >
        <label htmlFor={noteId} className="text-sm font-medium text-slate-700">
          Note for the audit trail (optional)
          <textarea
            id={noteId}
            value={note}
            onChange={(event) => setNote(event.target.value)}
            maxLength={5000}
            rows={3}
            className="mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-emerald-600"
          />
        </label>
      </ConfirmDialog>
    </>
  );
}
