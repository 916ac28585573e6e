import type { Metadata } from "next";
import { Suspense } from "react";
import { PageHeader } from "../../components/page-header";
import { DepositQueue } from "./deposit-queue";

export const metadata: Metadata = { title: "Deposits" };

export default function Page() {
  return (
    <>
      <PageHeader title="Deposits" description="Pending deposits to confirm or fail, with their evidence." />
      {/* The filters live in the address (shareable, back button), read on the client. */}
      <Suspense>
        <DepositQueue />
      </Suspense>
    </>
  );
}
