import type { Metadata } from "next";
import { PageHeader } from "../../components/page-header";
import { NotificationsFeed } from "./notifications-feed";

export const metadata: Metadata = { title: "Notifications" };

export default function Page() {
  return (
    <>
      <PageHeader title="Notifications" description="What happened, live: new events appear here without reloading." />
      <NotificationsFeed />
    </>
  );
}
