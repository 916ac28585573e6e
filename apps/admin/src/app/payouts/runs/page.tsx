import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "../../../components/page-header";
import { PayoutRunsView } from "./payout-runs-view";

export const metadata: Metadata = { title: "Payout runs" };

export default function Page() {
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/payouts" className="text-emerald-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-600">
          ← All payouts
        </Link>
      </p>
      <PageHeader title="Payout runs" description="Every payout run, newest first: who started it, what it took and how it ended." />
      <PayoutRunsView />
    </>
  );
}
