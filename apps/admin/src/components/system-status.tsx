"use client";
import { DateTime, Button, Card, StatusPill, Table, TBody, THead, Td, Th, Tr, type Tone } from "@agrinet/ui";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";
import { QueryError } from "./query-error";

type Part = "ok" | "unavailable" | "pending" | "offline";

const partTone: Record<Part, Tone> = {
  ok: "success",
  pending: "warning",
  offline: "danger",
  unavailable: "danger",
};

const parts = [
  { key: "database", label: "Database", explain: "PostgreSQL answers queries." },
  { key: "migrations", label: "Migrations", explain: "Every migration shipped with this build is applied." },
  { key: "worker", label: "Worker", explain: "A payout worker sent a heartbeat recently." },
] as const;

function formatAge(ms: number) {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

/** Database, migrations and worker health from `system.getStatus`, refreshed every 10 s. */
export function SystemStatus({ detailed = false }: { detailed?: boolean }) {
  const trpc = useTRPC();
  const status = useQuery({
    ...trpc.system.getStatus.queryOptions(),
    refetchInterval: 10_000,
  });

  const checkedAt = status.data ? new Date(status.data.details.checkedAt) : null;

  return (
    <Card
      id="system-status"
      title="System status"
      description={
        checkedAt ? (
          <span data-testid="status-checked-at">
            Checked at <DateTime iso={checkedAt} />
            {status.isRefetchError ? " · last refresh failed, showing the previous result" : null}
          </span>
        ) : (
          "Database, migrations and worker"
        )
      }
      actions={
        <Button
          variant="secondary"
          size="sm"
          busy={status.isFetching}
          onClick={() => void status.refetch()}
        >
          {status.isFetching ? "Refreshing…" : "Refresh"}
        </Button>
      }
    >
      {status.isPending ? (
        <p role="status" aria-live="polite" className="text-sm text-slate-600">
          Checking the database, migrations and worker…
        </p>
      ) : status.isError ? (
        <QueryError error={status.error} what="the system status" onRetry={() => void status.refetch()} />
      ) : (
        <>
          <dl className="grid gap-3 sm:grid-cols-3" aria-live="polite">
            {parts.map((part) => {
              const value = status.data[part.key];
              return (
                <div
                  key={part.key}
                  data-testid={`status-${part.key}`}
                  data-state={value}
                  className="rounded-md border border-slate-200 p-3"
                >
                  <dt className="text-sm font-medium text-slate-700">{part.label}</dt>
                  <dd className="mt-2">
                    <StatusPill tone={partTone[value]} label={value} />
                  </dd>
                  <dd className="mt-2 text-xs text-slate-500">{part.explain}</dd>
                </div>
              );
            })}
          </dl>
          {detailed ? <StatusDetails details={status.data.details} /> : null}
        </>
      )}
    </Card>
  );
}

function StatusDetails({
  details,
}: {
  details: {
    pendingMigrations: string[];
    workers: Array<{ workerId: string; hostname: string; pid: number; ageMs: number }>;
  };
}) {
  return (
    <div className="mt-6 grid gap-6">
      <div className="min-w-0">
        <h3 className="text-sm font-semibold text-slate-900">Pending migrations</h3>
        {details.pendingMigrations.length ? (
          <ul className="mt-2 list-inside list-disc font-mono text-sm text-slate-700">
            {details.pendingMigrations.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600">None: the database schema is up to date.</p>
        )}
      </div>
      <div className="min-w-0">
        <h3 className="text-sm font-semibold text-slate-900">Worker heartbeats</h3>
        {details.workers.length ? (
          <Table caption="Worker heartbeats" className="mt-2">
            <THead>
              <tr>
                <Th>Worker</Th>
                <Th>Host</Th>
                <Th align="right">PID</Th>
                <Th align="right">Last heartbeat</Th>
              </tr>
            </THead>
            <TBody>
              {details.workers.map((worker) => (
                <Tr key={worker.workerId}>
                  <Td className="font-mono text-xs">{worker.workerId}</Td>
                  <Td>{worker.hostname}</Td>
                  <Td align="right">{worker.pid}</Td>
                  <Td align="right">{formatAge(worker.ageMs)}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        ) : (
          <p className="mt-2 text-sm text-slate-600">
            No worker has reported. Start one with <code className="font-mono">pnpm start</code>.
          </p>
        )}
      </div>
    </div>
  );
}
