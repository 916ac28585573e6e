import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "../../../components/page-header";
import { AccountsView } from "./accounts-view";

export const metadata: Metadata = { title: "Ledger accounts" };

export default function Page() {
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/ledger" className="text-emerald-800 underline">
          Ledger
        </Link>
      </nav>
      <PageHeader
        title="Ledger accounts"
        description="Users and their accounts, contracts' escrow, the platform and the rails' clearing accounts, grouped by owner."
      />
      <AccountsView />
    </>
  );
}
