import type { Metadata } from "next";
import { PageHeader } from "../components/page-header";
import { SystemStatus } from "../components/system-status";

export const metadata: Metadata = { title: "Overview" };

export default function OverviewPage() {
  return (
    <>
      <PageHeader title="Overview" description="The state of Agrinet Pay at a glance." />
      <SystemStatus />
    </>
  );
}
