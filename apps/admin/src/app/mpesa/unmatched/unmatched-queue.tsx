"use client";
import { Button, Card, ConfirmDialog, EmptyState, LoadingRows, Money, Pager, StatusPill, Table, TBody, THead, Td, Th, Tr, useKeysetPages } from "@agrinet/ui";
import type { AppRouter } from "@agrinet/router";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { useCan } from "../../../auth/use-can";
import { useNotificationStream } from "../../../notifications/use-notification-stream";
import { QueryError } from "../../../components/query-error";
import { useTRPC } from "../../../trpc/client";

type Payment = inferRouterOutputs<AppRouter>["mpesa"]["listUnmatched"]["items"][number];
const statuses = ["open", "assigned", "returning", "returned", "all"] as const;
type Status = (typeof statuses)[number];
const tone = { open: "warning", assigned: "success", returning: "neutral", returned: "success" } as const;

const fieldClass =
  "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-emerald-600 focus:outline-2 focus:outline-emerald-600";

function errorMessage(error: unknown): string {
  const e = error as { message?: string; data?: { code?: string } | null };
  return e.data?.code ? `${e.message ?? "Refused"} (${e.data.code})` : "The API did not answer; nothing was changed.";
}

/** The exceptions queue, with assign and return behind a confirmation that restates amount and party. */
export function UnmatchedQueue() {
  const trpc = useTRPC();
  const pages = useKeysetPages();
  const [status, setStatus] = useState<Status>("open");
  const list = useQuery({
    ...trpc.mpesa.listUnmatched.queryOptions({ status, limit: 25, cursor: pages.cursor }),
    placeholderData: keepPreviousData,
    refetchInterval: 5_000,
  });
  const [acting, setActing] = useState<{ payment: Payment; action: "assign" | "return" } | null>(null);
  const queryClient = useQueryClient();
  // A payment entering suspense shows at once; the poll above follows returns as M-Pesa settles them.
  useNotificationStream((notification) => {
    if (notification.aggregateType === "mpesa_payment") void queryClient.invalidateQueries({ queryKey: trpc.mpesa.listUnmatched.pathKey() });
  });

  return (
    <div className="grid gap-6">
      <Card>
        <div className="p-4">
          <label htmlFor="unmatched-status" className="text-sm font-medium text-slate-800">
            Show
          </label>
          <select
            id="unmatched-status"
            value={status}
            onChange={(event) => {
              pages.reset();
              setStatus(event.target.value as Status);
            }}
            className={`${fieldClass} max-w-xs`}
          >
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </Card>
      <Card title="Payments in suspense" description="Newest first.">
        {list.isPending ? (
          <div className="p-5">
            <LoadingRows label="Loading unmatched payments…" />
          </div>
        ) : list.isError ? (
          <div className="p-5">
            <QueryError error={list.error} what="the unmatched payments" onRetry={() => void list.refetch()} />
          </div>
        ) : list.data.items.length === 0 ? (
          <div className="p-5">
            <EmptyState title="Nothing here">Payments M-Pesa delivers that match no request appear here.</EmptyState>
          </div>
        ) : (
          <>
            <Table caption="Unmatched M-Pesa payments" aria-busy={list.isFetching || undefined}>
              <THead>
                <tr>
                  <Th>Receipt</Th>
                  <Th>Payer</Th>
                  <Th>Account typed</Th>
                  <Th align="right">Amount</Th>
                  <Th>Why</Th>
                  <Th>Status</Th>
                  <Th>Received</Th>
                  <Th>Actions</Th>
                </tr>
              </THead>
              <TBody>
                {list.data.items.map((payment) => (
                  <Tr key={payment.id} data-testid="unmatched-row" data-receipt={payment.receipt ?? ""}>
                    <Td className="font-mono text-xs">{payment.receipt ?? "—"}</Td>
                    <Td className="font-mono text-xs">{payment.phoneNumber ?? "—"}</Td>
                    <Td className="font-mono text-xs">{payment.accountReference ?? "—"}</Td>
                    <Td align="right">{payment.amount ? <Money amount={payment.amount} currency={payment.currency} /> : "—"}</Td>
                    <Td className="max-w-xs text-xs">{payment.exceptionReason}</Td>
                    <Td data-testid="unmatched-status">
                      <StatusPill tone={tone[payment.exception as keyof typeof tone] ?? "neutral"} label={payment.exception ?? ""} />
                    </Td>
                    <Td>
                      <time dateTime={payment.createdAt}>{new Date(payment.createdAt).toLocaleString()}</time>
                    </Td>
                    <Td>{payment.exception === "open" ? <RowActions payment={payment} onAct={setActing} /> : null}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <Pager
              label="Pages"
              {...pages.pagerProps(list.data.nextCursor)}
              busy={list.isFetching}
              previousLabel="Previous"
              nextLabel="Next"
              className="border-t border-slate-200 px-5 py-3"
            />
          </>
        )}
      </Card>
      {acting ? <ActionDialog key={`${acting.payment.id}-${acting.action}`} {...acting} onClose={() => setActing(null)} /> : null}
    </div>
  );
}

function RowActions({ payment, onAct }: { payment: Payment; onAct: (acting: { payment: Payment; action: "assign" | "return" }) => void }) {
  const canAssign = useCan("mpesa.assignUnmatched");
  const canReturn = useCan("mpesa.returnUnmatched");
  return (
    <div className="flex gap-2">
      {canAssign ? (
        <Button variant="secondary" onClick={() => onAct({ payment, action: "assign" })}>
          Assign…
        </Button>
      ) : null}
      {canReturn && payment.receipt ? (
        <Button variant="secondary" onClick={() => onAct({ payment, action: "return" })}>
          Return…
        </Button>
      ) : null}
    </div>
  );
}

function ActionDialog({ payment, action, onClose }: { payment: Payment; action: "assign" | "return"; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<"userId" | "contractId">("userId");
  const [party, setParty] = useState("");
  const [step, setStep] = useState<"choose" | "confirm">(action === "return" ? "confirm" : "choose");
  const done = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.mpesa.listUnmatched.pathKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.deposits.pathKey() });
    onClose();
  };
  const assign = useMutation(trpc.mpesa.assignUnmatched.mutationOptions({ onSuccess: done }));
  const giveBack = useMutation(trpc.mpesa.returnUnmatched.mutationOptions({ onSuccess: done }));
  const amount = payment.amount ? <Money amount={payment.amount} currency={payment.currency} /> : "—";
  const partyId = party.trim();

  if (step === "choose") {
    return (
      <ConfirmDialog
        open
        onCancel={onClose}
        onConfirm={() => partyId && setStep("confirm")}
        title="Assign this payment to…"
        summary={[
          { label: "Amount", value: amount },
          { label: "Receipt", value: payment.receipt ?? "—" },
        ]}
        confirmLabel="Review"
      >
        <div className="mt-3 grid gap-2 text-sm">
          <label htmlFor="assign-kind">Assign to</label>
          <select id="assign-kind" value={target} onChange={(event) => setTarget(event.target.value as "userId" | "contractId")} className={fieldClass}>
            <option value="userId">a user's wallet</option>
            <option value="contractId">a contract's escrow</option>
          </select>
          <label htmlFor="assign-party">{target === "userId" ? "User id" : "Contract id"}</label>
          <input id="assign-party" value={party} onChange={(event) => setParty(event.target.value)} className={fieldClass} />
        </div>
      </ConfirmDialog>
    );
  }
  const busy = assign.isPending || giveBack.isPending;
  const error = assign.isError ? errorMessage(assign.error) : giveBack.isError ? errorMessage(giveBack.error) : null;
  return action === "assign" ? (
    <ConfirmDialog
      open
      onCancel={onClose}
      onConfirm={() => assign.mutate({ paymentId: payment.id, [target]: partyId })}
      title="Assign this payment?"
      summary={[
        { label: "Amount", value: amount },
        { label: target === "userId" ? "To user" : "To contract", value: <span className="font-mono text-xs">{partyId}</span> },
        {
          label: "Account credited",
          value: <span className="font-mono text-xs">{target === "userId" ? `user:${partyId}:wallet:${payment.currency}` : `contract:${partyId}:escrow:${payment.currency}`}</span>,
        },
        { label: "From", value: <span className="font-mono text-xs">{`suspense:mpesa:${payment.currency}`}</span> },
        { label: "Receipt", value: payment.receipt ?? "—" },
        { label: "Paid by", value: payment.phoneNumber ?? "—" },
      ]}
      confirmLabel={`Assign ${payment.currency} payment to ${partyId}`}
      busy={busy}
      error={error}
    />
  ) : (
    <ConfirmDialog
      open
      tone="danger"
      onCancel={onClose}
      onConfirm={() => giveBack.mutate({ paymentId: payment.id })}
      title="Return this payment to the payer?"
      summary={[
        { label: "Amount", value: amount },
        { label: "Back to", value: payment.phoneNumber ?? "the paying M-Pesa account" },
        { label: "Receipt reversed", value: payment.receipt ?? "—" },
        { label: "How", value: "M-Pesa Transaction Reversal" },
      ]}
      confirmLabel={`Return ${payment.currency} to ${payment.phoneNumber ?? "payer"}`}
      busy={busy}
      error={error}
    />
  );
}
