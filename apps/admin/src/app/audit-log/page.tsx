import type { Metadata } from "next";
import { NotAvailableYet } from "../../components/not-available";
import { PageHeader } from "../../components/page-header";

export const metadata: Metadata = { title: "Audit log" };

export default function Page() {
  return (
    <>
      <PageHeader title="Audit log" description="Who did what, and when." />
      <NotAvailableYet
        feature="Audit log"
        waitsFor="the audit log procedures (issue 3)"
        description="The audit trail needs the audit procedures."
      />
    </>
  );
}
