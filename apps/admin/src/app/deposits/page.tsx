import type { Metadata } from "next";
import { NotAvailableYet } from "../../components/not-available";
import { PageHeader } from "../../components/page-header";

export const metadata: Metadata = { title: "Deposits" };

export default function Page() {
  return (
    <>
      <PageHeader title="Deposits" description="Pending deposits to confirm or fail, with their evidence." />
      <NotAvailableYet
        feature="Deposits"
        waitsFor="the deposits procedures (issue 5)"
        description="Deposit review (the pending queue, evidence preview, confirm and fail) needs the deposits procedures."
      />
    </>
  );
}
