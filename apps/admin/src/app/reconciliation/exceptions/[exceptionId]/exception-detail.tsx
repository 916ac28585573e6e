"use client";
import { Badge, Button, Card, ConfirmDialog, DateTime, LoadingRows, Money, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import type { AppRouter } from "@agrinet/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useState, type FormEvent, type ReactNode } from "react";
import { useCan } from "../../../../auth/use-can";
import { ActorName } from "../../../../components/entity-links";
import { SelectField, TextField } from "../../../../components/form-controls";
import { PageHeader } from "../../../../components/page-header";
import { QueryError } from "../../../../components/query-error";
import { useTRPC } from "../../../../trpc/client";
import { exceptionKindLabels, unmatchedPaymentsHref } from "../../exception-kinds";

type Detail = inferRouterOutputs<AppRouter>["reconciliation"]["getException"];
type Exception = Detail["exception"];

function errorMessage(error: unknown): string | null {
  if (!error) return null;
  const e = error as { message?: string; data?: { code?: string } | null };
  return e.data?.code ? `${e.message ?? "Refused"} (${e.data.code})` : "The API did not answer; nothing was changed.";
}

/** What an adjustment posts: the whole line for a line we never booked, else the difference. */
function adjustmentAmount(exception: Exception): string | null {
  if (exception.statementAmount === null) return null;
  if (exception.kind === "unmatched_line") return exception.statementAmount;
  if (exception.kind === "amount_mismatch" && exception.ledgerAmount !== null) {
    return (BigInt(exception.statementAmount) - BigInt(exception.ledgerAmount)).toString();
  }
  return null;
}

/** One exception: its line, what it could be linked to, and the resolutions staff may apply. */
export function ExceptionDetail({ exceptionId }: { exceptionId: string }) {
  const trpc = useTRPC();
  const detail = useQuery({ ...trpc.reconciliation.getException.queryOptions({ exceptionId }), retry: false });
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/reconciliation#reconciliation-exceptions" className="text-emerald-800 underline focus-visible:outline-2 focus-visible:outline-emerald-600">
          ← Exceptions queue
        </Link>
      </p>
      <PageHeader title={detail.data ? `Exception ${detail.data.exception.id}: ${exceptionKindLabels[detail.data.exception.kind]}` : "Exception"} />
      {detail.isPending ? (
        <LoadingRows rows={6} label="Loading the exception…" />
      ) : detail.isError ? (
        <QueryError error={detail.error} what="this exception" onRetry={() => void detail.refetch()} />
      ) : (
        <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
          <div className="grid content-start gap-6">
            <Summary exception={detail.data.exception} />
            {detail.data.line ? <StatementLine line={detail.data.line} /> : null}
            {detail.data.matchedPostings.length ? <MatchedPostings postings={detail.data.matchedPostings} /> : null}
            {detail.data.exception.status !== "resolved" && detail.data.line?.status === "unmatched" ? <LinkByHand detail={detail.data} /> : null}
          </div>
          <div className="grid content-start gap-6">
            {detail.data.exception.mpesaPaymentId !== null ? (
              <InSuspense exception={detail.data.exception} />
            ) : detail.data.exception.status !== "resolved" ? (
              <Resolve detail={detail.data} />
            ) : null}
            <Comments detail={detail.data} />
          </div>
        </div>
      )}
    </>
  );
}

/** Money in suspense leaves it only through collections' assign or return, which resolve this exception too. */
function InSuspense({ exception }: { exception: Exception }) {
  return (
    <Card
      title="Payment in suspense"
      description="M-Pesa paid this money in, but no deposit matched it. Assign it to a wallet or contract, or return it to the payer, in the M-Pesa unmatched queue: this exception follows the payment's state there."
    >
      <div className="p-4 text-sm">
        <p>
          M-Pesa payment <code>{exception.mpesaPaymentId}</code>, receipt <code>{exception.reference}</code>
          {exception.status === "resolved" ? <> ({exception.resolution})</> : null}.
        </p>
        <p className="mt-3">
          <Link href={unmatchedPaymentsHref} className="font-medium text-emerald-800 underline">
            Work it in the unmatched M-Pesa payments
          </Link>
        </p>
      </div>
    </Card>
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

function Summary({ exception }: { exception: Exception }) {
  const currency = exception.currency;
  return (
    <Card title="Details">
      <dl className="divide-y divide-slate-100" data-testid="exception-summary">
        <Row label="Status">
          <span data-testid="exception-status">
            <Badge tone={exception.status === "resolved" ? "success" : exception.status === "new" ? "warning" : "neutral"}>
              {exception.resolution ? `${exception.status}: ${exception.resolution}` : exception.status}
            </Badge>
          </span>
        </Row>
        <Row label="Kind">{exceptionKindLabels[exception.kind]}</Row>
        <Row label="Source">{exception.source}</Row>
        <Row label="Reference">
          <span className="font-mono">{exception.reference ?? "—"}</span>
        </Row>
        <Row label="Statement amount">{exception.statementAmount && currency ? <Money amount={exception.statementAmount} currency={currency} /> : "—"}</Row>
        <Row label="Ledger amount">{exception.ledgerAmount && currency ? <Money amount={exception.ledgerAmount} currency={currency} /> : "—"}</Row>
        <Row label="Occurred">
          <DateTime iso={exception.occurredAt} />
        </Row>
        <Row label="First found">
          <DateTime iso={exception.createdAt} /> ({exception.ageDays} days)
        </Row>
        <Row label="Assignee">{exception.assignee ?? "—"}</Row>
        {exception.detail ? <Row label="Detail">{exception.detail}</Row> : null}
        {exception.resolvedAt ? (
          <Row label="Resolved">
            <DateTime iso={exception.resolvedAt} /> by <ActorName actor={exception.resolvedBy} />
            {exception.resolutionReason ? <>: {exception.resolutionReason}</> : null}
          </Row>
        ) : null}
        {exception.adjustmentTransactionId ? (
          <Row label="Adjustment">
            <span className="font-mono text-xs">ledger transaction {exception.adjustmentTransactionId}</span>
          </Row>
        ) : null}
      </dl>
    </Card>
  );
}

function StatementLine({ line }: { line: NonNullable<Detail["line"]> }) {
  return (
    <Card title="Statement line">
      <dl className="divide-y divide-slate-100" data-testid="exception-line">
        <Row label="Statement">
          <span className="font-mono text-xs">{line.statementFileName ?? line.statementId}</span>, row {line.rowNumber}
        </Row>
        <Row label="Booked">
          <DateTime iso={line.bookedAt} />
        </Row>
        <Row label="Amount">
          <Money amount={line.amount} currency={line.currency} />
        </Row>
        <Row label="Reference">
          <span className="font-mono">{line.reference ?? "—"}</span>
          {line.batchReference ? <> (batch <span className="font-mono">{line.batchReference}</span>)</> : null}
        </Row>
        <Row label="Description">{line.description || "—"}</Row>
        {line.counterparty ? <Row label="Counterparty">{line.counterparty}</Row> : null}
        <Row label="Line">{line.status}</Row>
      </dl>
    </Card>
  );
}

function PostingCells({ posting }: { posting: Detail["candidates"][number] }) {
  return (
    <>
      <Td className="font-mono text-xs">{posting.id}</Td>
      <Td>
        <DateTime iso={posting.at} />
      </Td>
      <Td className="font-mono">{posting.reference ?? "—"}</Td>
      <Td>{posting.kind}</Td>
      <Td>
        <Money amount={posting.amount} currency={posting.currency} />
      </Td>
    </>
  );
}

function MatchedPostings({ postings }: { postings: Detail["matchedPostings"] }) {
  return (
    <Card title="Matched to" description="The clearing-account postings this line now accounts for.">
      <Table caption="Matched postings">
        <THead>
          <Tr>
            <Th>Posting</Th>
            <Th>Posted</Th>
            <Th>Reference</Th>
            <Th>Kind</Th>
            <Th>Amount</Th>
            <Th>How</Th>
          </Tr>
        </THead>
        <TBody>
          {postings.map((p) => (
            <Tr key={p.id}>
              <PostingCells posting={p} />
              <Td>{p.rule}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </Card>
  );
}

function useResolve(onDone: () => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.reconciliation.resolveExceptions.mutationOptions({
      onSuccess: async () => {
        onDone();
        await queryClient.invalidateQueries({ queryKey: trpc.reconciliation.pathKey() });
      },
    }),
  );
}

function LinkByHand({ detail }: { detail: Detail }) {
  const canWrite = useCan("reconciliation.resolveExceptions");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const resolve = useResolve(() => setConfirming(false));
  const chosen = detail.candidates.filter((p) => selected.has(p.id));
  const line = detail.line!;
  const total = chosen.reduce((sum, p) => sum + BigInt(p.amount), 0n).toString();
  return (
    <Card
      title="Link by hand"
      description="Unmatched postings of this source's clearing account in the line's currency, within 7 days of it, the same amount first. Select what the line pays or was paid by."
    >
      {detail.candidates.length === 0 ? (
        <p className="p-5 text-sm text-slate-600">No unmatched posting within 7 days of this line.</p>
      ) : (
        <>
          <Table caption="Postings this line could be linked to">
            <THead>
              <Tr>
                <Th>{""}</Th>
                <Th>Posting</Th>
                <Th>Posted</Th>
                <Th>Reference</Th>
                <Th>Kind</Th>
                <Th>Amount</Th>
              </Tr>
            </THead>
            <TBody>
              {detail.candidates.map((p) => (
                <Tr key={p.id}>
                  <Td>
                    <input
                      type="checkbox"
                      aria-label={`Select posting ${p.id}`}
                      disabled={!canWrite}
                      checked={selected.has(p.id)}
                      onChange={(event) => {
                        const next = new Set(selected);
                        if (event.target.checked) next.add(p.id);
                        else next.delete(p.id);
                        setSelected(next);
                      }}
                    />
                  </Td>
                  <PostingCells posting={p} />
                </Tr>
              ))}
            </TBody>
          </Table>
          {canWrite ? (
            <div className="p-5">
              <Button
                disabled={chosen.length === 0}
                onClick={() => {
                  resolve.reset();
                  setConfirming(true);
                }}
              >
                {`Link ${chosen.length} selected…`}
              </Button>
            </div>
          ) : null}
        </>
      )}
      <ConfirmDialog
        open={confirming}
        onCancel={() => setConfirming(false)}
        busy={resolve.isPending}
        error={errorMessage(resolve.error)}
        title="Link this line by hand?"
        summary={[
          { label: "Line", value: <Money amount={line.amount} currency={line.currency} /> },
          { label: "Postings", value: chosen.map((p) => p.id).join(", ") },
          { label: "Postings total", value: <Money amount={total} currency={line.currency} /> },
        ]}
        confirmLabel={`Link ${chosen.length} postings`}
        onConfirm={() =>
          resolve.mutate({
            exceptionIds: [detail.exception.id],
            resolution: { action: "link", reason: reason.trim(), postingIds: chosen.map((p) => p.id) },
          })
        }
      >
        <TextField id="link-reason" label="Reason (kept on the exception)" value={reason} onChange={(event) => setReason(event.target.value)} />
      </ConfirmDialog>
    </Card>
  );
}

function Resolve({ detail }: { detail: Detail }) {
  const canWrite = useCan("reconciliation.resolveExceptions");
  const { exception } = detail;
  const [action, setAction] = useState<"adjust" | "explain" | null>(null);
  const [reason, setReason] = useState("");
  const [counterAccount, setCounterAccount] = useState(detail.adjustmentAccounts[0] ?? "");
  const resolve = useResolve(() => setAction(null));
  if (!canWrite) return null;
  const amount = detail.line?.status === "unmatched" ? adjustmentAmount(exception) : null;
  const currency = exception.currency ?? "";
  const open = (next: "adjust" | "explain") => {
    resolve.reset();
    setReason("");
    setAction(next);
  };
  return (
    <Card title="Resolve" description="Mark it explained with a reason, or, where money must move, post an audited adjustment. Nothing is deleted.">
      <div className="flex flex-wrap gap-2 p-5">
        {amount !== null ? <Button onClick={() => open("adjust")}>Post adjustment…</Button> : null}
        <Button variant="secondary" onClick={() => open("explain")}>
          Mark explained…
        </Button>
      </div>
      <ConfirmDialog
        open={action === "adjust"}
        onCancel={() => setAction(null)}
        busy={resolve.isPending}
        error={errorMessage(resolve.error)}
        title="Post an adjustment?"
        summary={[
          { label: "Amount", value: amount ? <Money amount={amount} currency={currency} /> : "—" },
          { label: "Between", value: <span className="font-mono text-xs">{`external:${exception.source}:${currency}`}</span> },
          { label: "And", value: <span className="font-mono text-xs">{counterAccount || "—"}</span> },
        ]}
        confirmLabel={amount ? `Post ${currency} adjustment` : "Post adjustment"}
        onConfirm={() =>
          resolve.mutate({ exceptionIds: [exception.id], resolution: { action: "adjust", reason: reason.trim(), counterAccount: counterAccount.trim() } })
        }
      >
        <div className="grid gap-3">
          {detail.adjustmentAccounts.length ? (
            <SelectField id="adjust-account" label="Platform account" value={counterAccount} onChange={(event) => setCounterAccount(event.target.value)}>
              {detail.adjustmentAccounts.map((code) => (
                <option key={code} value={code}>
                  {code}
                </option>
              ))}
            </SelectField>
          ) : (
            <TextField
              id="adjust-account"
              label="Platform account"
              hint={`platform:<name>:${currency}`}
              value={counterAccount}
              onChange={(event) => setCounterAccount(event.target.value)}
            />
          )}
          <TextField id="adjust-reason" label="Reason (kept on the exception and the ledger transaction)" value={reason} onChange={(event) => setReason(event.target.value)} />
        </div>
      </ConfirmDialog>
      <ConfirmDialog
        open={action === "explain"}
        onCancel={() => setAction(null)}
        busy={resolve.isPending}
        error={errorMessage(resolve.error)}
        title="Mark this exception explained?"
        summary={[{ label: "Exception", value: `${exception.id}: ${exceptionKindLabels[exception.kind]}` }]}
        confirmLabel="Mark explained"
        onConfirm={() => resolve.mutate({ exceptionIds: [exception.id], resolution: { action: "explain", reason: reason.trim() } })}
      >
        <TextField id="explain-reason" label="Reason (kept on the exception)" value={reason} onChange={(event) => setReason(event.target.value)} />
      </ConfirmDialog>
    </Card>
  );
}

function Comments({ detail }: { detail: Detail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan("reconciliation.commentOnException");
  const [body, setBody] = useState("");
  const comment = useMutation(
    trpc.reconciliation.commentOnException.mutationOptions({
      onSuccess: async () => {
        setBody("");
        await queryClient.invalidateQueries({ queryKey: trpc.reconciliation.pathKey() });
      },
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (body.trim()) comment.mutate({ exceptionId: detail.exception.id, body: body.trim() });
  }
  return (
    <Card title="Comments">
      <div className="grid gap-3 p-5 text-sm">
        {detail.comments.length === 0 ? <p className="text-slate-600">No comments yet.</p> : null}
        <ol className="grid gap-2" aria-label="Comments">
          {detail.comments.map((c) => (
            <li key={c.id} className="rounded-md border border-slate-200 p-2">
              <p className="text-xs text-slate-600">
                <ActorName actor={c.author} />, <DateTime iso={c.createdAt} />
              </p>
              <p className="whitespace-pre-wrap">{c.body}</p>
            </li>
          ))}
        </ol>
        {canWrite ? (
          <form onSubmit={submit} aria-label="Add a comment" className="grid gap-2">
            <TextField id="comment-body" label="Comment" value={body} maxLength={4000} onChange={(event) => setBody(event.target.value)} />
            <div>
              <Button type="submit" variant="secondary" disabled={!body.trim() || comment.isPending}>
                Add comment
              </Button>
            </div>
            {comment.error ? (
              <p role="alert" className="text-red-700">
                {errorMessage(comment.error)}
              </p>
            ) : null}
          </form>
        ) : null}
      </div>
    </Card>
  );
}
