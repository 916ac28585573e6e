import type { Metadata } from "next";
import { PageHeader } from "../../../components/page-header";
import { UserView } from "./user-view";

type Props = { params: Promise<{ userId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `User ${decodeURIComponent((await params).userId)}` };
}

export default async function Page({ params }: Props) {
  const userId = decodeURIComponent((await params).userId);
  return (
    <>
      <PageHeader title={`User ${userId}`} description="Wallet balances, deposits, payouts, contracts and LBTAS ratings of one marketplace user." />
      <UserView userId={userId} />
    </>
  );
}
