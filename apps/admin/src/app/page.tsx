import type { Metadata } from "next";
import { NotAvailableYet } from "../components/not-available";
import { PageHeader } from "../components/page-header";
import { SystemStatus } from "../components/system-status";

export const metadata: Metadata = { title: "Overview" };

export default function OverviewPage() {
  return (
    <>
      <PageHeader title="Overview" description="The state of Agrinet Pay at a glance." />
      <div className="grid gap-6">
        <SystemStatus />
        <NotAvailableYet
          feature="Balances and volume"
          waitsFor="the ledger, deposits and payouts procedures (issues 4, 5 and 6)"
          description="Balances per currency (wallets, escrow, platform, in flight), pending deposits, queued and failed payouts and the 30-day volume chart."
        />
      </div>
    </>
  );
}
