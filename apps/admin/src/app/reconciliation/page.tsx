import type { Metadata } from "next";
import { PageHeader } from "../../components/page-header";
import { PermissionGate } from "../../components/permission-gate";
import { ReconciliationView } from "./reconciliation-view";

export const metadata: Metadata = { title: "Reconciliation" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Reconciliation"
        description="Provider statements (M-Pesa, bank, Stripe) matched against the ledger's clearing accounts: upload and commit statements, work the exceptions queue, and read the daily report per rail."
      />
      <PermissionGate procedurePath="reconciliation.listExceptions" what="reconciliation" who="staff">
        <ReconciliationView />
      </PermissionGate>
    </>
  );
}
