"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "../trpc/client";

const linkClass =
  "block rounded-md px-3 py-2 text-sm text-slate-600 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-emerald-600";

/** Who is signed in (from `auth.me`), with sign-out; a sign-in link otherwise. */
export function SessionMenu() {
  const trpc = useTRPC();
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);
  const me = useQuery(trpc.auth.me.queryOptions());

  if (me.isPending) return null;
  // A failed refetch keeps the last good `data`: after the session ends, auth.me answers 401
  // while `data` still names the staff member, so an error means signed out.
  if (me.isError || me.data.kind !== "staff") {
    return (
      <Link href="/sign-in" className={linkClass}>
        Sign in
      </Link>
    );
  }

  async function signOut() {
    setSigningOut(true);
    setSignOutError(null);
    const response = await fetch("/api/auth/sign-out", {
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
      body: "{}",
    }).catch(() => null);
    setSigningOut(false);
    if (!response?.ok) {
      setSignOutError(response ? `Sign-out failed (${response.status}); you are still signed in.` : "The API did not answer; you are still signed in.");
      return;
    }
    // A full load: every cached query and router prefetch belonged to the session that ended.
    window.location.assign("/sign-in");
  }

  return (
    <div className="px-3 py-2 text-sm" aria-label="Signed in" role="group">
      <p className="truncate font-medium text-slate-900" data-testid="session-email">
        {me.data.email}
      </p>
      <p className="text-slate-500">{me.data.role}</p>
      <button
        type="button"
        onClick={() => void signOut()}
        disabled={signingOut}
        className="mt-1 rounded text-slate-600 underline hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-emerald-600 disabled:opacity-50"
      >
        {signingOut ? "Signing out…" : "Sign out"}
      </button>
      {signOutError ? (
        <p role="alert" className="mt-1 text-red-800">
          {signOutError}
        </p>
      ) : null}
    </div>
  );
}
