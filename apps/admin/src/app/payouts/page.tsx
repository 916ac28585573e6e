import type { Metadata } from "next";
import { NotAvailableYet } from "../../components/not-available";
import { PageHeader } from "../../components/page-header";

export const metadata: Metadata = { title: "Payouts" };

export default function Page() {
  return (
    <>
      <PageHeader title="Payouts" description="Queued, processing, paid and failed payouts, and payout runs." />
      <NotAvailableYet
        feature="Payouts"
        waitsFor="the payouts procedures (issue 6)"
        description="Payout lists, dry-run previews and live run progress need the payouts procedures."
      />
    </>
  );
}
