import type { Metadata } from "next";
import { PageHeader } from "../../components/page-header";
import { PermissionGate } from "../../components/permission-gate";
import { StaffView } from "./staff-view";

export const metadata: Metadata = { title: "Staff" };

export default function Page() {
  return (
    <>
      <PageHeader
        title="Staff"
        description="Who can sign in to this dashboard and what they may do: admins manage everything including users and keys, operators confirm deposits and run payouts, viewers only read."
      />
      <PermissionGate procedurePath="auth.listStaffUsers" what="staff users" who="admins">
        <StaffView />
      </PermissionGate>
    </>
  );
}
