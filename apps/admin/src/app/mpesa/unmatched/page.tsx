import type { Metadata } from "next";
import { PageHeader } from "../../../components/page-header";
import { UnmatchedQueue } from "./unmatched-queue";

export const metadata: Metadata = { title: "Unmatched M-Pesa payments" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Unmatched M-Pesa payments"
        description="Money M-Pesa delivered that matches no request, held in suspense. Assign it to a user or contract, or return it to the payer."
      />
      <UnmatchedQueue />
    </>
  );
}
