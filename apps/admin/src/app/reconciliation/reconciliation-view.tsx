"use client";
import { Badge, Button, Card, ConfirmDialog, EmptyState, LoadingRows, Money, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useCan } from "../../auth/use-can";
import { DateTime, SelectField, TextField } from "../../components/form-controls";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";
import { exceptionHref, exceptionKindLabels, exceptionKinds, type ExceptionKind } from "./exception-kinds";

const sources = ["mpesa", "bank", "stripe"] as const;
type Source = (typeof sources)[number];
type Preview = {
  id: string;
  status: string;
  rowsParsed: number;
  rowsNew: number;
  rowsKnown: number;
  periodFrom: string | null;
  periodTo: string | null;
  refusedRows: { row: number; reason: string }[];
  totals: { currency: string; moneyIn: string; moneyOut: string; rows: number }[];
};

const eatDay = (date: Date) => new Date(date.getTime() + 3 * 3_600_000).toISOString().slice(0, 10);

function errorMessage(body: unknown): string {
  const error = (body as { error?: { message?: string } } | null)?.error;
  return error?.message ?? "the upload failed";
}

export function ReconciliationView() {
  return (
    <div className="flex flex-col gap-6">
      <StatementsCard />
      <ExceptionsCard />
      <DailyReportCard />
    </div>
  );
}

function StatementsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan("reconciliation.commitStatement");
  const [preview, setPreview] = useState<Preview | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const runs = useQuery(trpc.reconciliation.listRuns.queryOptions({ limit: 10 }));
  const commit = useMutation(
    trpc.reconciliation.commitStatement.mutationOptions({
      onSuccess: (result) => {
        setPreview(result.statement);
        void queryClient.invalidateQueries({ queryKey: trpc.reconciliation.pathKey() });
      },
    }),
  );

  async function upload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setUploadError(null);
    setUploading(true);
    try {
      const response = await fetch("/admin/reconciliation/statements", { method: "POST", body: new FormData(event.currentTarget) });
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) setUploadError(errorMessage(body));
      else setPreview(body as Preview);
    } finally {
      setUploading(false);
    }
  }

  return (
    <Card id="reconciliation-statements" title="Statements" description="Upload a statement to preview it; nothing is matched until it is committed. A statement, or an overlapping one, committed twice adds nothing twice.">
      {canWrite ? (
        <form onSubmit={upload} aria-label="Upload a statement" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
          <SelectField id="statement-source" name="source" label="Source" defaultValue="mpesa">
            <option value="mpesa">M-Pesa (portal CSV)</option>
            <option value="bank">Bank (CSV or camt.053)</option>
          </SelectField>
          <TextField id="statement-bank" name="bank" label="Bank mapping" hint="For a bank CSV: the saved mapping" />
          <TextField id="statement-file" name="file" type="file" label="File" required accept=".csv,.xml,text/csv,application/xml" />
          <div className="flex items-end">
            <Button type="submit" disabled={uploading}>{uploading ? "Reading…" : "Preview"}</Button>
          </div>
          {uploadError ? <p role="alert" className="text-sm text-red-700 sm:col-span-2 lg:col-span-5">{uploadError}</p> : null}
        </form>
      ) : null}
      {preview ? (
        <section aria-label="Statement preview" className="mt-4 rounded-md border border-slate-200 p-4 text-sm">
          <p>
            <strong>{preview.rowsParsed}</strong> rows read ({preview.rowsNew} new, {preview.rowsKnown} already imported),{" "}
            <DateTime iso={preview.periodFrom} /> to <DateTime iso={preview.periodTo} />. Status: <Badge>{preview.status}</Badge>
          </p>
          <ul className="mt-2">
            {preview.totals.map((t) => (
              <li key={t.currency}>
                In <Money amount={t.moneyIn} currency={t.currency} />, out <Money amount={t.moneyOut} currency={t.currency} /> ({t.rows} rows)
              </li>
            ))}
          </ul>
          {preview.refusedRows.length ? (
            <details className="mt-2">
              <summary>{preview.refusedRows.length} rows refused</summary>
              <ul>
                {preview.refusedRows.map((r) => (
                  <li key={r.row}>Row {r.row}: {r.reason}</li>
                ))}
              </ul>
            </details>
          ) : null}
          {preview.status === "preview" && canWrite ? (
            <Button className="mt-3" disabled={commit.isPending} onClick={() => commit.mutate({ statementId: preview.id })}>
              {commit.isPending ? "Committing…" : `Commit ${preview.rowsNew} new lines and match`}
            </Button>
          ) : null}
          {commit.error ? <p role="alert" className="text-red-700">{commit.error.message}</p> : null}
          {commit.data?.run ? (
            <p className="mt-2">Matched {commit.data.run.matched}; {commit.data.run.exceptionsNew} new exceptions.</p>
          ) : null}
        </section>
      ) : null}
      <h3 className="mt-6 text-sm font-semibold">Recent matching runs</h3>
      {runs.error ? <QueryError error={runs.error} what="matching runs" /> : null}
      {runs.isPending ? <LoadingRows label="Loading runs" /> : null}
      <Table caption="Recent matching runs">
        <THead>
          <Tr><Th>Started</Th><Th>Source</Th><Th>Trigger</Th><Th>Matched</Th><Th>New exceptions</Th><Th>Cleared</Th></Tr>
        </THead>
        <TBody>
          {runs.data?.items.map((run) => (
            <Tr key={run.id}>
              <Td><DateTime iso={run.startedAt} /></Td>
              <Td>{run.source}</Td>
              <Td>{run.trigger}</Td>
              <Td>{run.counts.matched ?? 0}</Td>
              <Td>{run.counts.exceptionsNew ?? 0}</Td>
              <Td>{run.counts.exceptionsResolved ?? 0}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </Card>
  );
}

type Filters = { source?: Source; kind?: ExceptionKind; status: "open" | "new" | "persisting" | "resolved" | "all"; assignee?: string; minAgeDays?: number };

function ExceptionsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan("reconciliation.resolveExceptions");
  const [filters, setFilters] = useState<Filters>({ status: "open" });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [action, setAction] = useState<{ kind: "explain" | "assign"; text: string } | null>(null);
  const exceptions = useQuery({ ...trpc.reconciliation.listExceptions.queryOptions({ ...filters, limit: 200 }), placeholderData: keepPreviousData });
  const done = () => {
    setAction(null);
    setSelected(new Set());
    void queryClient.invalidateQueries({ queryKey: trpc.reconciliation.pathKey() });
  };
  const resolve = useMutation(trpc.reconciliation.resolveExceptions.mutationOptions({ onSuccess: done }));
  const assign = useMutation(trpc.reconciliation.assignExceptions.mutationOptions({ onSuccess: done }));

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "").trim() || undefined;
    const age = value("minAgeDays");
    setFilters({
      source: value("source") as Source | undefined,
      kind: value("kind") as Filters["kind"],
      status: (value("status") ?? "open") as Filters["status"],
      assignee: value("assignee"),
      minAgeDays: age ? Number(age) : undefined,
    });
    setSelected(new Set());
  }

  const csv = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  const ids = [...selected];
  const busy = resolve.isPending || assign.isPending;
  return (
    <Card
      id="reconciliation-exceptions"
      title="Exceptions"
      description="Every statement line and clearing-account movement that did not match, until it is resolved. Nothing is deleted."
      actions={
        <a href={`/api/v1/reconciliation/exceptions.csv?${csv.toString()}`} download className="text-sm font-medium text-emerald-800 underline">
          Download CSV
        </a>
      }
    >
      <form onSubmit={apply} aria-label="Exception filters" className="grid gap-4 sm:grid-cols-3 lg:grid-cols-6">
        <SelectField id="exception-source" name="source" label="Source" defaultValue="">
          <option value="">All</option>
          {sources.map((s) => <option key={s} value={s}>{s}</option>)}
        </SelectField>
        <SelectField id="exception-kind" name="kind" label="Kind" defaultValue="">
          <option value="">All</option>
          {exceptionKinds.map((k) => <option key={k} value={k}>{exceptionKindLabels[k]}</option>)}
        </SelectField>
        <SelectField id="exception-status" name="status" label="Status" defaultValue="open">
          {["open", "new", "persisting", "resolved", "all"].map((s) => <option key={s} value={s}>{s}</option>)}
        </SelectField>
        <TextField id="exception-assignee" name="assignee" label="Assignee" />
        <TextField id="exception-age" name="minAgeDays" type="number" min={0} label="At least days old" />
        <div className="flex items-end"><Button type="submit">Filter</Button></div>
      </form>
      {canWrite ? (
        <div className="mt-4 flex gap-2">
          <Button variant="secondary" disabled={!ids.length} onClick={() => setAction({ kind: "explain", text: "" })}>Mark {ids.length} explained…</Button>
          <Button variant="secondary" disabled={!ids.length} onClick={() => setAction({ kind: "assign", text: "" })}>Assign {ids.length}…</Button>
        </div>
      ) : null}
      {exceptions.error ? <QueryError error={exceptions.error} what="exceptions" /> : null}
      {exceptions.isPending ? <LoadingRows label="Loading exceptions" /> : null}
      <Table caption="Exceptions queue">
        <THead>
          <Tr><Th>{""}</Th><Th>Kind</Th><Th>Source</Th><Th>Reference</Th><Th>Ledger</Th><Th>Statement</Th><Th>Status</Th><Th>Age (days)</Th><Th>Assignee</Th></Tr>
        </THead>
        <TBody>
          {exceptions.data?.items.map((e) => (
            <Tr key={e.id}>
              <Td>
                <input
                  type="checkbox"
                  aria-label={`Select exception ${e.id}`}
                  disabled={e.status === "resolved"}
                  checked={selected.has(e.id)}
                  onChange={(event) => {
                    const next = new Set(selected);
                    if (event.target.checked) next.add(e.id);
                    else next.delete(e.id);
                    setSelected(next);
                  }}
                />
              </Td>
              <Td>{exceptionKindLabels[e.kind]}</Td>
              <Td>{e.source}</Td>
              <Td className="font-mono">
                <Link href={exceptionHref(e.id)} prefetch={false} className="text-emerald-800 underline" aria-label={`Exception ${e.id}: ${e.reference ?? e.detail}`}>
                  {e.reference ?? (e.detail || `exception ${e.id}`)}
                </Link>
              </Td>
              <Td>{e.ledgerAmount && e.currency ? <Money amount={e.ledgerAmount} currency={e.currency} /> : "—"}</Td>
              <Td>{e.statementAmount && e.currency ? <Money amount={e.statementAmount} currency={e.currency} /> : "—"}</Td>
              <Td><Badge tone={e.status === "resolved" ? "success" : e.status === "new" ? "warning" : "neutral"}>{e.resolution ? `${e.status}: ${e.resolution}` : e.status}</Badge></Td>
              <Td>{e.ageDays}</Td>
              <Td>{e.assignee ?? "—"}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      {exceptions.data && exceptions.data.items.length === 0 ? <EmptyState title="No exceptions">Everything in these filters is matched.</EmptyState> : null}
      <ConfirmDialog
        open={action !== null}
        onCancel={() => setAction(null)}
        busy={busy}
        error={(resolve.error ?? assign.error)?.message ?? null}
        title={action?.kind === "assign" ? `Assign ${ids.length} exceptions` : `Mark ${ids.length} exceptions explained`}
        summary={[{ label: "Exceptions", value: ids.join(", ") }]}
        confirmLabel={action?.kind === "assign" ? `Assign ${ids.length}` : `Explain ${ids.length}`}
        onConfirm={() => {
          if (!action) return;
          if (action.kind === "assign") assign.mutate({ exceptionIds: ids, assignee: action.text || null });
          else resolve.mutate({ exceptionIds: ids, resolution: { action: "explain", reason: action.text } });
        }}
      >
        <TextField
          id="bulk-text"
          label={action?.kind === "assign" ? "Assignee (empty: unassign)" : "Reason (kept on each exception)"}
          value={action?.text ?? ""}
          onChange={(event) => setAction(action ? { ...action, text: event.target.value } : null)}
        />
      </ConfirmDialog>
    </Card>
  );
}

function DailyReportCard() {
  const trpc = useTRPC();
  const today = eatDay(new Date());
  const [query, setQuery] = useState({ source: "mpesa" as Source, from: eatDay(new Date(Date.now() - 6 * 86_400_000)), to: today });
  const report = useQuery({ ...trpc.reconciliation.getDailyReport.queryOptions(query), placeholderData: keepPreviousData });
  const comparisons = useQuery({ ...trpc.reconciliation.listBalanceComparisons.queryOptions(query), placeholderData: keepPreviousData });
  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setQuery({ source: String(form.get("source")) as Source, from: String(form.get("from")), to: String(form.get("to")) });
  }
  return (
    <Card
      id="reconciliation-report"
      title="Daily report"
      description="Per day (East Africa Time) and currency: the statement's opening, in, out and closing, matched %, the ledger's net movement on the clearing account and the difference neither explains; the clearing account's balance at the day's end against the statement's closing (a constant difference is money the ledger never recorded, such as an opening float). The closing comparison is recorded when a statement is committed and by the scheduled run; a figure that comes out differently later is a new version, listed in its history."
      actions={
        <a href={`/api/v1/reconciliation/report.csv?${new URLSearchParams(query).toString()}`} download className="text-sm font-medium text-emerald-800 underline">
          Download CSV
        </a>
      }
    >
      <form onSubmit={apply} aria-label="Report period" className="grid gap-4 sm:grid-cols-4">
        <SelectField id="report-source" name="source" label="Rail" defaultValue={query.source}>
          {sources.map((s) => <option key={s} value={s}>{s}</option>)}
        </SelectField>
        <TextField id="report-from" name="from" type="date" label="From" defaultValue={query.from} required />
        <TextField id="report-to" name="to" type="date" label="To" defaultValue={query.to} required />
        <div className="flex items-end"><Button type="submit">Show</Button></div>
      </form>
      {report.error ? <QueryError error={report.error} what="the daily report" /> : null}
      {report.isPending ? <LoadingRows label="Loading the report" /> : null}
      <Table caption="Daily reconciliation report">
        <THead>
          <Tr><Th>Day</Th><Th>Opening</Th><Th>In</Th><Th>Out</Th><Th>Closing</Th><Th>Matched</Th><Th>Ledger net</Th><Th>Unexplained</Th><Th>Ledger closing</Th><Th>Closing − ledger</Th><Th>Recorded</Th></Tr>
        </THead>
        <TBody>
          {report.data?.items.map((row) => (
            <Tr key={`${row.day}-${row.currency}`}>
              <Td>{row.day}</Td>
              <Td>{row.opening ? <Money amount={row.opening} currency={row.currency} /> : "—"}</Td>
              <Td><Money amount={row.moneyIn} currency={row.currency} /></Td>
              <Td><Money amount={row.moneyOut} currency={row.currency} /></Td>
              <Td>{row.closing ? <Money amount={row.closing} currency={row.currency} /> : "—"}</Td>
              <Td>{row.matchedPercent}% of {row.lines}</Td>
              <Td><Money amount={row.ledgerNet} currency={row.currency} /></Td>
              <Td><Money amount={row.unexplainedDifference} currency={row.currency} /></Td>
              <Td><Money amount={row.ledgerClosing} currency={row.currency} /></Td>
              <Td>{row.closingDifference ? <Money amount={row.closingDifference} currency={row.currency} /> : "—"}</Td>
              <Td>{row.comparisonVersion ? <>v{row.comparisonVersion}, <DateTime iso={row.comparisonRecordedAt} /></> : "—"}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      <details>
        <summary className="cursor-pointer text-sm font-medium text-emerald-800">History of the closing comparisons ({comparisons.data?.items.length ?? 0} versions)</summary>
        {comparisons.error ? <QueryError error={comparisons.error} what="the comparisons' history" /> : null}
        <Table caption="Recorded closing comparisons, every version">
          <THead>
            <Tr><Th>Day</Th><Th>Version</Th><Th>Recorded</Th><Th>By</Th><Th>Compared at</Th><Th>Statement closing</Th><Th>Ledger closing</Th><Th>Difference</Th></Tr>
          </THead>
          <TBody>
            {comparisons.data?.items.map((row) => (
              <Tr key={`${row.day}-${row.currency}-${row.version}`}>
                <Td>{row.day} {row.currency}</Td>
                <Td>v{row.version}</Td>
                <Td><DateTime iso={row.recordedAt} /></Td>
                <Td>{row.trigger === "commit" && row.statementId ? `commit of ${row.statementId}` : row.trigger}</Td>
                <Td><DateTime iso={row.comparedAt} /></Td>
                <Td>{row.statementClosing ? <Money amount={row.statementClosing} currency={row.currency} /> : "—"}</Td>
                <Td><Money amount={row.ledgerClosing} currency={row.currency} /></Td>
                <Td>{row.difference ? <Money amount={row.difference} currency={row.currency} /> : "—"}</Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      </details>
    </Card>
  );
}
