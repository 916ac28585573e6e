"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../trpc/client";

const linkClass =
  "block rounded-md px-3 py-2 text-sm text-slate-600 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-emerald-600";

/** Who is signed in (from `auth.me`); a sign-in link otherwise. */
export function SessionMenu() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());

  if (me.isPending) return null;
  if (me.data?.kind !== "staff") {
    return (
      <Link href="/sign-in" className={linkClass}>
        Sign in
      </Link>
    );
  }

  return (
    <div className="px-3 py-2 text-sm" aria-label="Signed in" role="group">
      <p className="truncate font-medium text-slate-900" data-testid="session-email">
        {me.data.email}
      </p>
      <p className="text-slate-500">{me.data.role}</p>
    </div>
  );
}
