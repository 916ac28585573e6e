"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../trpc/client";

const linkClass = "text-emerald-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-600";

export function userHref(userId: string): string {
  return `/users/${encodeURIComponent(userId)}`;
}

/** An end user's id, linked to their page (balances, deposits, payouts, contracts, ratings). */
export function UserLink({ userId, className }: { userId: string | null | undefined; className?: string }) {
  if (!userId) return <>—</>;
  return (
    <Link prefetch={false} href={userHref(userId)} className={`${linkClass} ${className ?? ""}`} data-testid="user-link">
      {userId}
    </Link>
  );
}

/**
 * Where an audit target or a ledger reference lives in the dashboard: "payout:po_1" →
 * /payouts/po_1. Null when the dashboard has no page for it.
 */
export function entityHref(target: string): string | null {
  const at = target.indexOf(":");
  if (at < 0) return null;
  const kind = target.slice(0, at);
  const id = encodeURIComponent(target.slice(at + 1));
  switch (kind) {
    case "deposit":
      return `/deposits/${id}`;
    case "payout":
      return `/payouts/${id}`;
    case "contract":
      return `/contracts/${id}`;
    case "user":
      return `/users/${id}`;
    case "staff_user":
      return "/staff";
    case "api_key":
      return "/api-keys";
    default:
      return null;
  }
}

/** An audit target, linked to the object it names when the dashboard has a page for it. */
export function EntityLink({ target }: { target: string | null }) {
  if (!target) return <>—</>;
  const href = entityHref(target);
  return href ? (
    <Link prefetch={false} href={href} className={`font-mono text-xs ${linkClass}`}>
      {target}
    </Link>
  ) : (
    <span className="font-mono text-xs">{target}</span>
  );
}

/**
 * A recorded actor ("staff:<uuid>", "partner:<keyId>") by name. Concurrent rows' lookups go out
 * in one batched request (httpBatchLink) and are cached for the session.
 */
export function ActorName({ actor }: { actor: string | null | undefined }) {
  const trpc = useTRPC();
  const named = useQuery({
    ...trpc.auth.describeActors.queryOptions({ actors: [actor ?? ""] }, { staleTime: 10 * 60_000 }),
    enabled: Boolean(actor),
  });
  if (!actor) return <>—</>;
  const description = named.data?.[0];
  if (!description) return <span className="text-slate-500">{actor.includes(":") ? "…" : actor}</span>;
  if (description.userId) return <UserLink userId={description.userId} />;
  return (
    <span title={description.detail ?? undefined} data-testid="actor-name">
      {description.name}
    </span>
  );
}
