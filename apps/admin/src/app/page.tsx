import type { Metadata } from "next";
import { OverviewPanels } from "../components/overview-panels";
import { PageHeader } from "../components/page-header";
import { SystemStatus } from "../components/system-status";

export const metadata: Metadata = { title: "Overview" };

export default function OverviewPage() {
  return (
    <>
      <PageHeader title="Overview" description="The state of Agrinet Pay at a glance." />
      <div className="grid gap-6">
        <SystemStatus />
        <OverviewPanels />
      </div>
    </>
  );
}
