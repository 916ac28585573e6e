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

export type ResolvedDispute = {
  resolution: Resolution;
  amount: string;
  currency: string;
  recipientUserId: string;
  recipientAccount: string;
};

/**
 * What was just done, with the way to the ledger movement. Rendered by the parent: the resolved
 * dispute itself leaves the open list as soon as the list refreshes.
 */
export function ResolvedNotice({ resolved }: { resolved: ResolvedDispute }) {
  return (
    <div role="status" className="mb-3 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900" data-testid="dispute-resolved">
      {resolved.resolution === "release" ? "Released" : "Refunded"}{" "}
      <Money amount={resolved.amount} currency={resolved.currency} /> to {resolved.recipientUserId}.{" "}
      <Link className="font-medium underline" href={`/ledger?account=${encodeURIComponent(resolved.recipientAccount)}`}>
        See the ledger movement
      </Link>
    </div>
  );
}

/**
 * Release or refund a dispute's frozen escrow, each through a dialog that restates the amount,
 * currency and who receives it. Offered only to callers the server lets resolve disputes.
 */
export function ResolveDisputeActions({
  dispute,
  onResolved,
}: {
  dispute: Dispute;
  onResolved: (resolved: ResolvedDispute) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canResolve = useCan("disputes.resolve");
  const noteId = useId();
  const [choice, setChoice] = useState<Resolution | null>(null);
  const [note, setNote] = useState("");
  const resolve = useMutation(
    trpc.disputes.resolve.mutationOptions({
      onSuccess: async (result) => {
        const recipient = recipientOf(dispute, result.resolution);
        onResolved({
          resolution: result.resolution,
          amount: result.amount,
          currency: dispute.contract.currency,
          recipientUserId: recipient.userId,
          recipientAccount: recipient.account,
        });
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

  if (!canResolve) return null;

  const recipient = choice ? recipientOf(dispute, choice) : null;
  const amount = <Money amount={dispute.escrowBalance} currency={dispute.contract.currency} />;
  return (
    <>
      <div className="flex flex-wrap gap-2">
        <Button size="sm" onClick={() => setChoice("release")} aria-label={`Resolve: release ${dispute.id} to the producer`}>
          Resolve: release
        </Button>
        <Button
          size="sm"
          variant="danger"
          onClick={() => setChoice("refund")}
          aria-label={`Resolve: refund ${dispute.id} to the consumer`}
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
