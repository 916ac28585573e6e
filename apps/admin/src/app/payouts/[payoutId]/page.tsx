import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "../../../components/page-header";
import { PayoutDetail } from "./payout-detail";

export const metadata: Metadata = { title: "Payout" };

export default async function Page({ params }: { params: Promise<{ payoutId: string }> }) {
  const { payoutId } = await params;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/payouts" className="text-emerald-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-600">
          ← All payouts
        </Link>
      </p>
      <PageHeader title="Payout" description={<span className="font-mono">{payoutId}</span>} />
      <PayoutDetail payoutId={payoutId} />
    </>
  );
}
