import type { Metadata } from "next";
import { PageHeader } from "../../components/page-header";
import { SystemStatus } from "../../components/system-status";

export const metadata: Metadata = { title: "System status" };

export default function StatusPage() {
  return (
    <>
      <PageHeader
        title="System status"
        description="What GET /readyz reports: the database answers, every migration is applied and a worker is alive."
      />
      <SystemStatus detailed />
    </>
  );
}
