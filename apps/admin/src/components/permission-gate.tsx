"use client";
import { Card, LoadingRows } from "@agrinet/ui";
import Link from "next/link";
import type { ReactNode } from "react";
import { usePermission } from "../auth/use-permission";

/**
 * Shows `children` only to callers the server lets call `procedurePath`; everyone else reads
 * why (sign in, or which role may see it) rather than a failed request.
 */
export function PermissionGate({
  procedurePath,
  what,
  who,
  children,
}: {
  procedurePath: string;
  /** e.g. "API keys" */
  what: string;
  /** Who may see it, e.g. "admins". */
  who: string;
  children: ReactNode;
}) {
  const state = usePermission(procedurePath);
  if (state === "allowed") return <>{children}</>;
  if (state === "loading") return <LoadingRows rows={3} label={`Loading ${what}…`} />;
  return (
    <Card>
      <div role="status" data-testid="permission-notice" className="text-sm text-slate-700">
        {state === "signed-out" ? (
          <p>
            <Link href="/sign-in" className="font-medium text-emerald-800 underline">
              Sign in
            </Link>{" "}
            to see {what}.
          </p>
        ) : state === "unreachable" ? (
          <p>The API did not answer, so we cannot tell whether you may see {what}. Check that it is running and reload.</p>
        ) : (
          <p>Only {who} can see {what}. Ask an admin if you need access.</p>
        )}
      </div>
    </Card>
  );
}
