"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";

/**
 * Every partner (staff may read them all), for the lists' Partner column and filter. One cached
 * answer serves every row and select on a page.
 */
export function usePartners() {
  const trpc = useTRPC();
  const partners = useQuery({ ...trpc.partners.list.queryOptions({}), staleTime: 60_000 });
  const items = partners.data?.items ?? [];
  const ids = items.map((partner) => partner.id);
  const names: Record<string, string> = Object.fromEntries(items.map((partner) => [partner.id, partner.name]));
  return { ids, names, isPending: partners.isPending };
}

/** A record's partner: its name, with the id kept for copying and for screen readers. */
export function PartnerName({ partnerId, names }: { partnerId: string; names: Record<string, string> }) {
  const name = names[partnerId];
  return name ? (
    <span title={partnerId}>
      {name}
      <span className="sr-only"> ({partnerId})</span>
    </span>
  ) : (
    <span className="font-mono text-xs">{partnerId}</span>
  );
}

export { partnerParam } from "./partner-param";
