"use client";
import { DateTime, Badge, Card, EmptyState, LoadingRows, Money, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { useCan } from "../../../auth/use-can";
import { PageHeader } from "../../../components/page-header";
import { QueryError } from "../../../components/query-error";
import { useTRPC } from "../../../trpc/client";
import { accountHref } from "../../ledger/ledger-filters";
import { ContractStatus } from "../contract-status";
import { lbtasLabel, Reputation } from "../reputation";
import { ResolvedNotice, ResolveDisputeActions, type ResolvedDispute } from "../resolve-dispute-button";
import { UserLink } from "../../../components/entity-links";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="rounded-md border border-slate-200 p-3">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="mt-1 text-sm font-medium text-slate-900">{children}</dd>
    </div>
  );
}

function Ratings({ contractId }: { contractId: string }) {
  const trpc = useTRPC();
  const ratings = useQuery(trpc.ratings.listForContract.queryOptions({ contractId }));
  return (
    <Card id="contract-ratings" title="Ratings" description="The consumer's rating settles the escrow; the producer's moves no money.">
      {ratings.isPending ? (
        <LoadingRows label="Loading ratings…" rows={2} />
      ) : ratings.isError ? (
        <QueryError error={ratings.error} what="the ratings" onRetry={() => void ratings.refetch()} />
      ) : ratings.data.length === 0 ? (
        <EmptyState title="Not rated yet">Each party rates once; the system records +2 when the window ends.</EmptyState>
      ) : (
        <Table caption="Ratings of this contract">
          <THead>
            <Tr>
              <Th>Rated by</Th>
              <Th>Rated</Th>
              <Th>Level</Th>
              <Th>When</Th>
            </Tr>
          </THead>
          <TBody>
            {ratings.data.map((rating) => (
              <Tr key={rating.id}>
                <Td>
                  {rating.isDefault ? "system default" : rating.raterId} ({rating.raterRole})
                </Td>
                <Td>{rating.rateeId}</Td>
                <Td>
                  <span className="tabular-nums">{rating.value > 0 ? `+${rating.value}` : rating.value}</span>{" "}
                  {lbtasLabel(rating.value)}
                  {rating.contests ? (
                    <>
                      {" "}
                      <Badge tone="warning">contested ×{rating.contests}</Badge>
                    </>
                  ) : null}
                </Td>
                <Td>
                  <DateTime iso={rating.createdAt} />
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

function ContractDispute({
  contractId,
  onResolved,
}: {
  contractId: string;
  onResolved: (resolved: ResolvedDispute) => void;
}) {
  const trpc = useTRPC();
  const disputes = useQuery(trpc.disputes.list.queryOptions({ status: "open", limit: 200 }));
  const dispute = disputes.data?.items.find((item) => item.contract.id === contractId);
  if (disputes.isError) {
    return <QueryError error={disputes.error} what="the dispute" onRetry={() => void disputes.refetch()} />;
  }
  if (!dispute) return null;
  return (
    <Card id="contract-dispute" title="Open dispute" description="The consumer rated -1: the escrow is frozen until resolved.">
      {dispute.narrative ? (
        <blockquote className="mb-3 border-l-4 border-slate-200 pl-3 text-sm text-slate-700">{dispute.narrative}</blockquote>
      ) : null}
      <ResolveDisputeActions dispute={dispute} onResolved={onResolved} />
    </Card>
  );
}

export function ContractDetail({ contractId }: { contractId: string }) {
  const trpc = useTRPC();
  const canReadDisputes = useCan("disputes.list");
  const contract = useQuery(trpc.contracts.get.queryOptions({ contractId }));
  const [resolved, setResolved] = useState<ResolvedDispute | null>(null);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/contracts" className="text-emerald-800 underline">
          Contracts
        </Link>
      </nav>
      <PageHeader title={`Contract ${contractId}`} description="Escrow, parties, ratings and any dispute." />
      {contract.isPending ? (
        <LoadingRows label="Loading the contract…" />
      ) : contract.isError ? (
        <QueryError error={contract.error} what="the contract" onRetry={() => void contract.refetch()} />
      ) : (
        <div className="flex flex-col gap-6">
          <Card id="contract-facts" title="Escrow" actions={<ContractStatus status={contract.data.status} />}>
            <dl className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
              <Fact label="Expected">
                <Money amount={contract.data.expectedAmount} currency={contract.data.currency} />
              </Fact>
              <Fact label="In escrow now">
                <Money amount={contract.data.escrowBalance} currency={contract.data.currency} />
              </Fact>
              <Fact label={contract.data.status === "refunded" ? "Refunded" : "Released"}>
                <Money amount={contract.data.settledAmount} currency={contract.data.currency} />
              </Fact>
              <Fact label="Rating window ends">
                <DateTime iso={contract.data.ratingWindowEndsAt} />
              </Fact>
              <Fact label="Consumer (pays)">
                <UserLink userId={contract.data.consumerId} />{" "}
                <Link
                  className="text-sm text-emerald-800 underline"
                  href={accountHref(`user:${contract.data.consumerId}:wallet:${contract.data.currency}`)}
                >
                  wallet
                </Link>
              </Fact>
              <Fact label="Producer (is paid)">
                <UserLink userId={contract.data.producerId} />{" "}
                <Link
                  className="text-sm text-emerald-800 underline"
                  href={accountHref(`user:${contract.data.producerId}:wallet:${contract.data.currency}`)}
                >
                  wallet
                </Link>
              </Fact>
              <Fact label="Escrow account">
                <Link
                  className="break-words font-mono text-xs text-emerald-800 underline"
                  href={accountHref(`contract:${contract.data.id}:escrow:${contract.data.currency}`)}
                >
                  contract:{contract.data.id}:escrow:{contract.data.currency}
                </Link>
              </Fact>
              <Fact label="Ledger">
                <Link className="text-emerald-800 underline" href={`/ledger?account=${encodeURIComponent(`contract:${contract.data.id}:escrow:${contract.data.currency}`)}`}>
                  Escrow transactions
                </Link>
              </Fact>
            </dl>
          </Card>
          {resolved ? <ResolvedNotice resolved={resolved} /> : null}
          {canReadDisputes && contract.data.status === "disputed" ? (
            <ContractDispute contractId={contractId} onResolved={setResolved} />
          ) : null}
          <Ratings contractId={contractId} />
          <section aria-labelledby="reputation-heading" className="flex flex-col gap-4">
            <h2 id="reputation-heading" className="text-lg font-semibold text-slate-900">
              Parties&apos; reputation
            </h2>
            <Reputation userId={contract.data.producerId} role="producer" />
            <Reputation userId={contract.data.consumerId} role="consumer" />
          </section>
        </div>
      )}
    </>
  );
}
