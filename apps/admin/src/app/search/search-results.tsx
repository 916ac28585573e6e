"use client";
import { Card, DateTime, EmptyState, LoadingRows, Money, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect } from "react";
import { UserLink } from "../../components/entity-links";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";

type Kind = "deposit" | "payout" | "contract" | "ledger_transaction" | "user";

const kindLabel: Record<Kind, string> = {
  deposit: "Deposit",
  payout: "Payout",
  contract: "Contract",
  ledger_transaction: "Ledger transaction",
  user: "User",
};

function hitHref(kind: Kind, id: string, createdAt: string | null): string {
  const encoded = encodeURIComponent(id);
  switch (kind) {
    case "deposit":
      return `/deposits/${encoded}`;
    case "payout":
      return `/payouts/${encoded}`;
    case "contract":
      return `/contracts/${encoded}`;
    case "user":
      return `/users/${encoded}`;
    case "ledger_transaction": {
      // The ledger lists newest first: ending the range just after this one puts it on top.
      const after = createdAt ? new Date(new Date(createdAt).getTime() + 1).toISOString() : "";
      return after ? `/ledger?to=${encodeURIComponent(after)}` : "/ledger";
    }
  }
}

export function SearchResults() {
  const trpc = useTRPC();
  const router = useRouter();
  const query = useSearchParams().get("q")?.trim() ?? "";
  const search = useQuery({ ...trpc.dashboard.search.queryOptions({ query }), enabled: query.length > 0 });
  const hits = search.data?.hits ?? [];
  const only = hits.length === 1 && hits[0]!.kind !== "ledger_transaction" ? hits[0]! : null;

  // One match: open it, as a person would have clicked it.
  useEffect(() => {
    if (only) router.replace(hitHref(only.kind, only.id, only.createdAt));
  }, [only, router]);

  return (
    <Card id="search-results" title={query ? `Results for “${query}”` : "Search"}>
      {!query ? (
        <EmptyState title="Type an id, a reference, a receipt, a phone number, an amount or a user id in the search box">Press / or Ctrl+K to reach it from any page.</EmptyState>
      ) : search.isPending ? (
        <LoadingRows rows={2} label="Searching…" />
      ) : search.isError ? (
        <QueryError error={search.error} what="the search results" onRetry={() => void search.refetch()} />
      ) : hits.length === 0 ? (
        <EmptyState title="Nothing matches exactly">
          Search takes a whole id, reference, receipt, phone number, amount or user id. For partial references, use the filters on the deposits page.
        </EmptyState>
      ) : (
        <Table caption="Search results" data-testid="search-results">
          <THead>
            <tr>
              <Th>Kind</Th>
              <Th>Match</Th>
              <Th align="right">Amount</Th>
              <Th>Status</Th>
              <Th>User</Th>
              <Th>Created</Th>
            </tr>
          </THead>
          <TBody>
            {hits.map((hit) => (
              <Tr key={`${hit.kind}:${hit.id}`}>
                <Td>{kindLabel[hit.kind]}</Td>
                <Td>
                  <Link prefetch={false} href={hitHref(hit.kind, hit.id, hit.createdAt)} className="font-mono text-xs text-emerald-800 underline">
                    {hit.kind === "ledger_transaction" ? `#${hit.id}` : hit.id}
                  </Link>{" "}
                  <span className="text-xs text-slate-500">by {hit.matched}</span>
                </Td>
                <Td align="right">{hit.amount && hit.currency ? <Money amount={hit.amount} currency={hit.currency} /> : "—"}</Td>
                <Td>{hit.status ?? "—"}</Td>
                <Td>
                  <UserLink userId={hit.userId} />
                </Td>
                <Td>
                  <DateTime iso={hit.createdAt} />
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}
