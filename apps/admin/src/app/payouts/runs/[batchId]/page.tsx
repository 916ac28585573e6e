import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "../../../../components/page-header";
import { PayoutsView } from "../../payouts-view";
import { PayoutRunSummary } from "./payout-run-summary";

export const metadata: Metadata = { title: "Payout run" };

export default async function Page({ params }: { params: Promise<{ batchId: string }> }) {
  const { batchId } = await params;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/payouts/runs" className="text-emerald-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-600">
          ← All payout runs
        </Link>
      </p>
      <PageHeader title="Payout run" description={<span className="font-mono">{batchId}</span>} />
      <div className="flex flex-col gap-6">
        <PayoutRunSummary batchId={batchId} />
        <PayoutsView batchId={batchId} />
      </div>
    </>
  );
}
