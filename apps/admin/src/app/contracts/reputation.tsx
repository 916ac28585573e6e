"use client";
import { Card, LoadingRows } from "@agrinet/ui";
import { useQuery } from "@tanstack/react-query";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";

/** LBTAS levels, best first, with the scale's own names. */
export const lbtasLevels = [
  { value: "4", label: "Delight" },
  { value: "3", label: "No Negative Consequences" },
  { value: "2", label: "Basic Satisfaction" },
  { value: "1", label: "Basic Promise" },
  { value: "0", label: "Cynical Satisfaction" },
  { value: "-1", label: "No Trust" },
] as const;

export function lbtasLabel(value: number): string {
  return lbtasLevels.find((level) => level.value === String(value))?.label ?? String(value);
}

type Distribution = {
  counts: Record<(typeof lbtasLevels)[number]["value"], number>;
  total: number;
  defaults: number;
};

/** Counts per level as bars: a distribution, deliberately never reduced to an average. */
function DistributionTable({ title, distribution }: { title: string; distribution: Distribution }) {
  const max = Math.max(1, ...lbtasLevels.map((level) => distribution.counts[level.value]));
  return (
    <figure className="min-w-0 flex-1">
      <figcaption className="mb-2 text-sm font-medium text-slate-800">
        {title} · {distribution.total} rating{distribution.total === 1 ? "" : "s"}
        {distribution.defaults ? `, plus ${distribution.defaults} system default${distribution.defaults === 1 ? "" : "s"} (+2)` : ""}
      </figcaption>
      <table className="w-full text-sm">
        <caption className="sr-only">{title}: count per LBTAS level</caption>
        <tbody>
          {lbtasLevels.map((level) => {
            const count = distribution.counts[level.value];
            return (
              <tr key={level.value}>
                <th scope="row" className="w-52 py-0.5 pr-2 text-left font-normal text-slate-700">
                  <span className="inline-block w-7 tabular-nums">{Number(level.value) > 0 ? `+${level.value}` : level.value}</span>
                  {level.label}
                </th>
                <td className="py-0.5">
                  <div className="flex items-center gap-2">
                    <div
                      aria-hidden="true"
                      className={level.value === "-1" ? "h-3 rounded bg-red-500" : "h-3 rounded bg-emerald-600"}
                      style={{ width: `${(count / max) * 100}%`, minWidth: count ? "0.25rem" : 0 }}
                    />
                    <span className="tabular-nums text-slate-900">{count}</span>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </figure>
  );
}

export function Reputation({ userId, role, title }: { userId: string; role: "producer" | "consumer"; title?: string }) {
  const trpc = useTRPC();
  const reputation = useQuery(trpc.ratings.getReputation.queryOptions({ userId }));
  return (
    <Card
      id={`reputation-${role}`}
      title={title ?? `${userId} (${role})`}
      description="LBTAS reputation: how often each level was given, per role. No averages."
    >
      {reputation.isPending ? (
        <LoadingRows label={`Loading ${userId}'s ratings…`} rows={3} />
      ) : reputation.isError ? (
        <QueryError error={reputation.error} what="the reputation" onRetry={() => void reputation.refetch()} />
      ) : (
        <div className="flex flex-col gap-6 lg:flex-row" data-testid={`reputation-${userId}`}>
          <DistributionTable title="Rated as producer" distribution={reputation.data.asProducer} />
          <DistributionTable title="Rated as consumer" distribution={reputation.data.asConsumer} />
        </div>
      )}
    </Card>
  );
}
