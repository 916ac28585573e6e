import type { Metadata } from "next";
import { PageHeader } from "../../components/page-header";
import { PermissionGate } from "../../components/permission-gate";
import { ApiKeysView } from "./api-keys-view";

export const metadata: Metadata = { title: "API keys" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys partner apps use to call the API (x-api-key or Authorization: Bearer). A key is shown once, when it is created; only its first characters are kept for recognising it."
      />
      <PermissionGate procedurePath="auth.listPartnerKeys" what="API keys" who="admins">
        <ApiKeysView />
      </PermissionGate>
    </>
  );
}
