import type { Metadata } from "next";
import { NotAvailableYet } from "../../components/not-available";
import { PageHeader } from "../../components/page-header";

export const metadata: Metadata = { title: "API keys" };

export default function Page() {
  return (
    <>
      <PageHeader title="API keys" description="Keys partner apps use to call the API." />
      <NotAvailableYet
        feature="API keys"
        waitsFor="the API key procedures (issue 3)"
        description="Creating, scoping and revoking API keys needs the access-control procedures."
      />
    </>
  );
}
