import type { Metadata } from "next";
import { ContractDetail } from "./contract-detail";

type Props = { params: Promise<{ contractId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Contract ${decodeURIComponent((await params).contractId)}` };
}

export default async function Page({ params }: Props) {
  return <ContractDetail contractId={decodeURIComponent((await params).contractId)} />;
}
