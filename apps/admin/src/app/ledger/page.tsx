import type { Metadata } from "next";
import { NotAvailableYet } from "../../components/not-available";
import { PageHeader } from "../../components/page-header";

export const metadata: Metadata = { title: "Ledger" };

export default function Page() {
  return (
    <>
      <PageHeader title="Ledger" description="Transactions with their postings, accounts and balances." />
      <NotAvailableYet
        feature="Ledger"
        waitsFor="the ledger procedures (issue 4)"
        description="Transactions, account balance history and CSV export need the ledger procedures."
      />
    </>
  );
}
