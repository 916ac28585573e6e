import type { Metadata } from "next";
import { PageHeader } from "../../components/page-header";
import { PayoutsView } from "./payouts-view";

export const metadata: Metadata = { title: "Payouts" };

export default function Page() {
  return (
    <>
      <PageHeader title="Payouts" description="Queued, processing, paid and failed payouts, and payout runs." />
      <PayoutsView />
    </>
  );
}
