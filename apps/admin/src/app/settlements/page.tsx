import type { Metadata } from "next";
import { PageHeader } from "../../components/page-header";
import { PermissionGate } from "../../components/permission-gate";
import { SettlementsView } from "./settlements-view";

export const metadata: Metadata = { title: "Settlements" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Settlements"
        description="Money in and out for a period, per currency: deposits confirmed, payouts paid and failed, escrow funded, released and refunded, and the closing balances. Download the same figures as CSV or JSON."
      />
      <PermissionGate procedurePath="settlements.getSummary" what="settlements" who="staff">
        <SettlementsView />
      </PermissionGate>
    </>
  );
}
