import type { Metadata } from "next";
import { PageHeader } from "../../components/page-header";
import { ContractsView } from "./contracts-view";

export const metadata: Metadata = { title: "Contracts" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Contracts"
        description="Contract escrow, disputes opened by -1 ratings and their resolution (release to the producer or refund to the consumer)."
      />
      <ContractsView />
    </>
  );
}
