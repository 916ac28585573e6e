import type { Metadata } from "next";
import { Suspense } from "react";
import { PageHeader } from "../../components/page-header";
import { SearchResults } from "./search-results";

export const metadata: Metadata = { title: "Search" };

export default function SearchPage() {
  return (
    <>
      <PageHeader
        title="Search"
        description="An exact deposit, payout, contract or ledger transaction id, a deposit or payout reference (an M-Pesa deposit's reference is its receipt), or a user id."
      />
      <Suspense>
        <SearchResults />
      </Suspense>
    </>
  );
}
