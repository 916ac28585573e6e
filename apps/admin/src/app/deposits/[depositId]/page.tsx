import type { Metadata } from "next";
import { DepositDetail } from "./deposit-detail";

export const metadata: Metadata = { title: "Deposit" };

export default async function Page({ params }: { params: Promise<{ depositId: string }> }) {
  const { depositId } = await params;
  return <DepositDetail depositId={decodeURIComponent(depositId)} />;
}
