import type { Metadata } from "next";
import { NotAvailableYet } from "../../components/not-available";
import { PageHeader } from "../../components/page-header";

export const metadata: Metadata = { title: "Contracts" };

export default function Page() {
  return (
    <>
      <PageHeader title="Contracts" description="Contract escrow, disputes and their resolution." />
      <NotAvailableYet
        feature="Contracts"
        waitsFor="the contracts and disputes procedures (issue 7)"
        description="Escrow balances and dispute resolution (release or refund) need the contracts procedures."
      />
    </>
  );
}
