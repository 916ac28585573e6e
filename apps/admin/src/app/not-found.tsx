import Link from "next/link";
import { PageHeader } from "../components/page-header";

export default function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" description="There is no page at this address." />
      <Link href="/" className="text-sm font-medium text-emerald-800 underline underline-offset-2">
        Back to the overview
      </Link>
    </>
  );
}
