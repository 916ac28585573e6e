import type { Metadata } from "next";
import { PageHeader } from "../../components/page-header";
import { PermissionGate } from "../../components/permission-gate";
import { PartnersView } from "./partners-view";

export const metadata: Metadata = { title: "Partners" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Partners"
        description="The partner apps (tenants) that call the API. A partner's keys read and move only its own users' money; its users, deposits, payouts and contracts are its own."
      />
      <PermissionGate procedurePath="partners.list" what="partners" who="staff">
        <PartnersView />
      </PermissionGate>
    </>
  );
}
