import type { Metadata } from "next";
import { AccountView } from "./account-view";

type Props = { params: Promise<{ account: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Account ${decodeURIComponent((await params).account)}` };
}

export default async function Page({ params }: Props) {
  return <AccountView account={decodeURIComponent((await params).account)} />;
}
