import type { Metadata } from "next";
import { NotAvailableYet } from "../../components/not-available";
import { PageHeader } from "../../components/page-header";

export const metadata: Metadata = { title: "Notifications" };

export default function Page() {
  return (
    <>
      <PageHeader title="Notifications" description="What happened, live." />
      <NotAvailableYet
        feature="Notifications"
        waitsFor="the notifications procedures and event stream (issue 8)"
        description="The live notification feed needs the notifications procedures and the API's event stream."
      />
    </>
  );
}
