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
        description="An exact deposit, payout, contract or ledger transaction id, a reference, an M-Pesa receipt, a phone number (any form: +254…, 07…), a payout's account number, an exact amount as shown (1,800 or KES 1800.00: the newest 20 deposits and payouts of that amount), or a user id."
      />
      <Suspense>
        <SearchResults />
      </Suspense>
    </>
  );
}
