"use client";
import { Card, EmptyState, LoadingRows, Money, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@agrinet/router";
import Link from "next/link";
import { useTRPC } from "../trpc/client";
import { QueryError } from "./query-error";
import { PeriodComparison } from "./period-comparison";
import { VolumeChart } from "./volume-chart";

export type Overview = inferRouterOutputs<AppRouter>["system"]["getOverview"];
type CountAndAmount = Overview["pendingDeposits"][number];

const buckets = [
  { key: "wallets", label: "Wallets", explain: "Users' wallet balances" },
  { key: "escrow", label: "Escrow", explain: "Held for contracts" },
  { key: "platform", label: "Platform", explain: "Fees and the platform account" },
  { key: "inFlight", label: "In flight", explain: "Payouts sent to a rail, not yet settled" },
  { key: "clearing", label: "Clearing", explain: "Mirror of money outside: negative = received from M-Pesa, banks and Stripe, not yet paid back out" },
] as const;

/** Balances, pending deposits, open payouts and volume from `system.getOverview`. */
export function OverviewPanels() {
  const trpc = useTRPC();
  const overview = useQuery({ ...trpc.system.getOverview.queryOptions(), refetchInterval: 30_000 });

  if (overview.isPending) {
    return (
      <Card title="Balances">
        <div className="p-5">
          <LoadingRows rows={4} label="Loading balances, deposits and payouts…" />
        </div>
      </Card>
    );
  }
  if (overview.isError) {
    return <QueryError error={overview.error} what="the overview" onRetry={() => void overview.refetch()} />;
  }
  const data = overview.data;
  return (
    <>
      <Card
        id="balances"
        title="Balances"
        description="Posted balances per currency, from the ledger. Held amounts are reserved for queued payouts. Clearing mirrors the rails: money that came in from M-Pesa, banks and Stripe shows there as a negative figure until it is paid back out."
      >
        {data.balances.length ? (
          <Table caption="Balances per currency">
            <THead>
              <tr>
                <Th>Currency</Th>
                {buckets.map((bucket) => (
                  <Th key={bucket.key} align="right" title={bucket.explain}>
                    {bucket.label}
                  </Th>
                ))}
              </tr>
            </THead>
            <TBody>
              {data.balances.map((row) => (
                <Tr key={row.currency}>
                  <Th className="normal-case tracking-normal" scope="row">
                    {row.currency}
                  </Th>
                  {buckets.map((bucket) => (
                    <Td key={bucket.key} align="right" data-testid={`balance-${row.currency}-${bucket.key}`}>
                      <Money amount={row.posted[bucket.key]} currency={row.currency} />
                      {row.held[bucket.key] !== "0" ? (
                        <span className="block text-xs text-slate-500">
                          held <Money amount={row.held[bucket.key]} currency={row.currency} />
                        </span>
                      ) : null}
                    </Td>
                  ))}
                </Tr>
              ))}
            </TBody>
          </Table>
        ) : (
          <div className="p-5">
            <EmptyState title="No balances yet">Balances appear once the first deposit is confirmed.</EmptyState>
          </div>
        )}
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card
          id="pending-deposits"
          title="Pending deposits"
          description="Waiting for an operator to confirm or fail them."
          actions={
            <Link href="/deposits?status=pending" className="text-sm font-medium text-emerald-800 underline">
              Review deposits
            </Link>
          }
        >
          <div className="p-5">
            <Totals rows={data.pendingDeposits} empty="No deposit is waiting." testId="pending-deposits" />
          </div>
        </Card>
        <Card id="payouts-summary" title="Payouts" description="Open and failed payouts.">
          <div className="grid gap-4 p-5 sm:grid-cols-3">
            {(["queued", "processing", "failed"] as const).map((status) => (
              <div key={status}>
                <h3 className="text-sm font-medium capitalize text-slate-700">{status}</h3>
                <div className="mt-2">
                  <Totals rows={data.payouts[status]} empty="None" testId={`payouts-${status}`} />
                </div>
              </div>
            ))}
          </div>
        </Card>
      </div>

      <VolumeChart volume={data.volume} />
      <PeriodComparison comparison={data.comparison} />
    </>
  );
}

function Totals({ rows, empty, testId }: { rows: CountAndAmount[]; empty: string; testId: string }) {
  if (!rows.length) return <p className="text-sm text-slate-600">{empty}</p>;
  return (
    <ul className="flex flex-col gap-1 text-sm" data-testid={testId}>
      {rows.map((row) => (
        <li key={row.currency} className="flex justify-between gap-3">
          <span className="text-slate-700">
            {row.count} {row.count === 1 ? "item" : "items"}
          </span>
          <Money amount={row.amount} currency={row.currency} className="font-medium" />
        </li>
      ))}
    </ul>
  );
}
