import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { PageHeader } from "../../components/page-header";
import { TransactionsView } from "./transactions-view";

export const metadata: Metadata = { title: "Ledger" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Ledger"
        description={
          <>
            Every ledger transaction with its postings, newest first. Postings of a transaction always sum to zero
            per currency. See also <Link className="font-medium text-emerald-800 underline" href="/ledger/accounts">accounts by owner</Link>.
          </>
        }
      />
      <Suspense>
        <TransactionsView />
      </Suspense>
    </>
  );
}
