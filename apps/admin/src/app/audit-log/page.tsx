import type { Metadata } from "next";
import { PageHeader } from "../../components/page-header";
import { PermissionGate } from "../../components/permission-gate";
import { AuditLogView } from "./audit-log-view";

export const metadata: Metadata = { title: "Audit log" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what, to what, when and from where: every staff action and key change, newest first. Rows are append-only."
      />
      <PermissionGate procedurePath="auth.listAuditLog" what="the audit log" who="admins">
        <AuditLogView />
      </PermissionGate>
    </>
  );
}
