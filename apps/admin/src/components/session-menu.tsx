"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../trpc/client";

const linkClass =
  "block rounded-md px-3 py-2 text-sm text-slate-600 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-emerald-600";

/** Who is signed in (from `auth.me`), with sign-out; a sign-in link otherwise. */
export function SessionMenu() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [signingOut, setSigningOut] = useState(false);
  const me = useQuery(trpc.auth.me.queryOptions());

  if (me.isPending) return null;
  if (me.data?.kind !== "staff") {
    return (
      <Link href="/sign-in" className={linkClass}>
        Sign in
      </Link>
    );
  }

  async function signOut() {
    setSigningOut(true);
    await fetch("/api/auth/sign-out", {
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
      body: "{}",
    }).catch(() => undefined);
    await queryClient.invalidateQueries();
    setSigningOut(false);
    router.push("/sign-in");
  }

  return (
    <div className="px-3 py-2 text-sm" aria-label="Signed in" role="group">
      <p className="truncate font-medium text-slate-900" data-testid="session-email">
        {me.data.email}
      </p>
      <p className="text-slate-500">{me.data.role}</p>
      <button
        type="button"
        onClick={signOut}
        disabled={signingOut}
        className="mt-1 text-slate-600 underline hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-emerald-600 disabled:opacity-50"
      >
        Sign out
      </button>
    </div>
  );
}
