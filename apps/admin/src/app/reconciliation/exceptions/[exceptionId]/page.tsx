import type { Metadata } from "next";
import { PermissionGate } from "../../../../components/permission-gate";
import { ExceptionDetail } from "./exception-detail";

export const metadata: Metadata = { title: "Reconciliation exception" };

export default async function Page({ params }: { params: Promise<{ exceptionId: string }> }) {
  const { exceptionId } = await params;
  return (
    <PermissionGate procedurePath="reconciliation.getException" what="reconciliation" who="staff">
      <ExceptionDetail exceptionId={decodeURIComponent(exceptionId)} />
    </PermissionGate>
  );
}
