"use client";
import { Button, Card, EmptyState, LoadingRows, Pager, Table, TBody, THead, Td, Th, Tr, useKeysetPages } from "@agrinet/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { DateTime, TextField } from "../../components/form-controls";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";
import { ActorName, EntityLink } from "../../components/entity-links";

const pageSize = 50;

/** Actions the product records today; the field accepts any other too. */
const knownActions = [
  "auth.key.created",
  "auth.key.revoked",
  "auth.user.created",
  "auth.user.updated",
  "payout.run",
  "payout.retried",
  "payout.cancelled",
  "payout.bank_batch_exported",
];

type Filters = { actor?: string; action?: string; from?: string; to?: string };

/** The day after a yyyy-mm-dd date, so "to" includes the whole chosen day. */
function dayAfter(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

function readFilters(form: FormData): Filters {
  const value = (name: string) => {
    const raw = String(form.get(name) ?? "").trim();
    return raw === "" ? undefined : raw;
  };
  const to = value("to");
  return { actor: value("actor"), action: value("action"), from: value("from"), to: to ? dayAfter(to) : undefined };
}

export function AuditLogView() {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({});
  // The cursors are `beforeId`s: each page asks for the entries older than the last one shown.
  const pages = useKeysetPages();
  const [rangeError, setRangeError] = useState<string | null>(null);

  const log = useQuery({
    ...trpc.auth.listAuditLog.queryOptions({ ...filters, beforeId: pages.cursor, limit: pageSize }),
    placeholderData: keepPreviousData,
  });

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next = readFilters(new FormData(event.currentTarget));
    if (next.from && next.to && next.from >= next.to) {
      setRangeError("The end date must be on or after the start date.");
      return;
    }
    setRangeError(null);
    setFilters(next);
    pages.reset();
  }

  function clear(form: HTMLFormElement) {
    form.reset();
    setRangeError(null);
    setFilters({});
    pages.reset();
  }

  const filtered = Object.values(filters).some(Boolean);

  return (
    <div className="flex flex-col gap-6">
      <Card id="audit-filters" title="Filters">
        <form onSubmit={apply} className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4" aria-label="Audit log filters">
          <TextField id="audit-actor" name="actor" label="Actor" placeholder="admin@agrinet.local" hint="A staff email, or staff:/partner:/user: id" />
          <TextField id="audit-action" name="action" label="Action" list="audit-actions" placeholder="auth.key.created" hint="Exact action name" />
          <datalist id="audit-actions">
            {knownActions.map((action) => (
              <option key={action} value={action} />
            ))}
          </datalist>
          <TextField id="audit-from" name="from" type="date" label="From" hint="From the start of this day (UTC)" />
          <TextField id="audit-to" name="to" type="date" label="To" hint="To the end of this day (UTC)" error={rangeError} />
          <div className="flex flex-wrap gap-2 sm:col-span-2 lg:col-span-4">
            <Button type="submit">Apply filters</Button>
            <Button variant="secondary" onClick={(event) => clear(event.currentTarget.form!)}>
              Clear
            </Button>
          </div>
        </form>
      </Card>

      <Card
        id="audit-entries"
        title="Entries"
        description={log.isFetching && !log.isPending ? "Loading…" : `Page ${pages.page}, ${pageSize} per page`}
      >
        {log.isPending ? (
          <LoadingRows label="Loading the audit log…" />
        ) : log.isError ? (
          <QueryError error={log.error} what="the audit log" onRetry={() => void log.refetch()} />
        ) : log.data.entries.length === 0 ? (
          <EmptyState title={filtered ? "No entries match these filters" : "Nothing has been audited yet"}>
            {filtered ? "Widen the date range or clear a filter." : "Staff actions and key changes appear here as they happen."}
          </EmptyState>
        ) : (
          <>
            <Table caption="Audit log entries" aria-busy={log.isFetching || undefined}>
              <THead>
                <tr>
                  <Th>When</Th>
                  <Th>Who</Th>
                  <Th>What</Th>
                  <Th>Target</Th>
                  <Th>IP</Th>
                  <Th>Details</Th>
                </tr>
              </THead>
              <TBody>
                {log.data.entries.map((entry) => (
                  <Tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
                    <Td>
                      <DateTime iso={entry.createdAt} />
                    </Td>
                    <Td>
                      <ActorName actor={entry.actor} />
                    </Td>
                    <Td className="font-mono text-xs">{entry.action}</Td>
                    <Td>
                      <EntityLink target={entry.target} />
                    </Td>
                    <Td className="font-mono text-xs">{entry.ip ?? "—"}</Td>
                    <Td className="whitespace-normal">
                      <Metadata value={entry.metadata} />
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <Pager label="Audit log pages" {...pages.pagerProps(log.data.nextBeforeId)} busy={log.isFetching} />
          </>
        )}
      </Card>
    </div>
  );
}

function Metadata({ value }: { value: unknown }) {
  if (!value || (typeof value === "object" && Object.keys(value).length === 0)) return <span className="text-slate-500">—</span>;
  return (
    <details>
      <summary className="cursor-pointer text-xs text-emerald-800">Show</summary>
      <pre className="mt-1 max-w-md overflow-x-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
