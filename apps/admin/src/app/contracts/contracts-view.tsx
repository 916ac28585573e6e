"use client";
import { Card, EmptyState, LoadingRows, Money, Pager, Table, TBody, Td, Th, THead, Tr, useKeysetPages } from "@agrinet/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { useCan } from "../../auth/use-can";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";
import { ContractStatus } from "./contract-status";
import { ResolvedNotice, ResolveDisputeActions, type ResolvedDispute } from "./resolve-dispute-button";
import { UserLink } from "../../components/entity-links";
import { PartnerName, usePartners } from "../../components/partner-filter";

const statuses = ["open", "funded", "released", "disputed", "refunded"] as const;
type Status = (typeof statuses)[number];

function contractHref(contractId: string) {
  return `/contracts/${encodeURIComponent(contractId)}`;
}

function OpenDisputes() {
  const trpc = useTRPC();
  const disputes = useQuery(trpc.disputes.list.queryOptions({ status: "open", limit: 50 }));
  const [resolved, setResolved] = useState<ResolvedDispute | null>(null);
  return (
    <Card
      id="open-disputes"
      title="Open disputes"
      description="A consumer's -1 froze the escrow. Read the narrative, then release it to the producer or refund the consumer."
    >
      {resolved ? <ResolvedNotice resolved={resolved} /> : null}
      {disputes.isPending ? (
        <LoadingRows label="Loading disputes…" rows={2} />
      ) : disputes.isError ? (
        <QueryError error={disputes.error} what="the disputes" onRetry={() => void disputes.refetch()} />
      ) : disputes.data.items.length === 0 ? (
        <EmptyState title="No open disputes">Every frozen escrow has been resolved.</EmptyState>
      ) : (
        <ul className="flex flex-col divide-y divide-slate-100">
          {disputes.data.items.map((dispute) => (
            <li key={dispute.id} data-testid="dispute" data-contract-id={dispute.contract.id} className="flex flex-col gap-2 py-3">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <p className="text-sm">
                  <Link prefetch={false} href={contractHref(dispute.contract.id)} className="font-medium text-emerald-800 underline">
                    {dispute.contract.id}
                  </Link>{" "}
                  · consumer <UserLink userId={dispute.contract.consumerId} /> · producer <UserLink userId={dispute.contract.producerId} />
                </p>
                <p className="text-sm">
                  Frozen in escrow: <Money amount={dispute.escrowBalance} currency={dispute.contract.currency} />
                </p>
              </div>
              {dispute.narrative ? (
                <blockquote className="border-l-4 border-slate-200 pl-3 text-sm text-slate-700">{dispute.narrative}</blockquote>
              ) : null}
              <ResolveDisputeActions dispute={dispute} onResolved={setResolved} />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function ContractsList() {
  const trpc = useTRPC();
  const id = useId();
  const [status, setStatus] = useState<Status | undefined>(undefined);
  const pages = useKeysetPages();
  const partners = usePartners();
  const [partnerId, setPartnerId] = useState<string | undefined>(undefined);
  const contracts = useQuery({
    ...trpc.contracts.list.queryOptions({ status, partnerId, cursor: pages.cursor, limit: 25 }),
    placeholderData: keepPreviousData,
  });
  return (
    <Card
      id="contracts"
      title="Contracts"
      actions={
        <>
          <label htmlFor={`${id}-status`} className="flex items-center gap-2 text-sm font-medium text-slate-700">
            Status
            <select
              id={`${id}-status`}
              value={status ?? ""}
              onChange={(event) => {
                setStatus((event.target.value || undefined) as Status | undefined);
                pages.reset();
              }}
              className="rounded-md border border-slate-300 px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-emerald-600"
            >
              <option value="">All</option>
              {statuses.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
          <label htmlFor={`${id}-partner`} className="flex items-center gap-2 text-sm font-medium text-slate-700">
            Partner
            <select
              id={`${id}-partner`}
              value={partnerId ?? ""}
              onChange={(event) => {
                setPartnerId(event.target.value || undefined);
                pages.reset();
              }}
              className="rounded-md border border-slate-300 px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-emerald-600"
            >
              <option value="">All</option>
              {partners.ids.map((value) => (
                <option key={value} value={value}>
                  {partners.names[value]}
                </option>
              ))}
            </select>
          </label>
        </>
      }
    >
      {contracts.isPending ? (
        <LoadingRows label="Loading contracts…" />
      ) : contracts.isError ? (
        <QueryError error={contracts.error} what="the contracts" onRetry={() => void contracts.refetch()} />
      ) : contracts.data.items.length === 0 ? (
        <EmptyState title={status ? `No ${status} contracts${partnerId ? " of this partner" : ""}` : partnerId ? "No contracts of this partner" : "No contracts yet"}>
          Partner apps register contracts with POST /contracts.
        </EmptyState>
      ) : (
        <>
          <Table caption="Contracts" aria-busy={contracts.isFetching || undefined}>
            <THead>
              <Tr>
                <Th>Contract</Th>
                <Th>Status</Th>
                <Th>Consumer → producer</Th>
                <Th>Partner</Th>
                <Th align="right">Expected</Th>
                <Th align="right">In escrow</Th>
                <Th align="right">Settled</Th>
              </Tr>
            </THead>
            <TBody>
              {contracts.data.items.map((contract) => (
                <Tr key={contract.id} data-testid="contract-row">
                  <Td>
                    <Link prefetch={false} href={contractHref(contract.id)} className="font-medium text-emerald-800 underline">
                      {contract.id}
                    </Link>
                  </Td>
                  <Td>
                    <ContractStatus status={contract.status} />
                  </Td>
                  <Td>
                    <UserLink userId={contract.consumerId} /> → <UserLink userId={contract.producerId} />
                  </Td>
                  <Td>
                    <PartnerName partnerId={contract.partnerId} names={partners.names} />
                  </Td>
                  <Td align="right">
                    <Money amount={contract.expectedAmount} currency={contract.currency} />
                  </Td>
                  <Td align="right">
                    <Money amount={contract.escrowBalance} currency={contract.currency} />
                  </Td>
                  <Td align="right">
                    <Money amount={contract.settledAmount} currency={contract.currency} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pager label="Contract pages" {...pages.pagerProps(contracts.data.nextCursor)} busy={contracts.isFetching} />
        </>
      )}
    </Card>
  );
}

export function ContractsView() {
  // Disputes carry the consumer's narrative, which only operators and admins may read.
  const canReadDisputes = useCan("disputes.list");
  return (
    <div className="flex flex-col gap-6">
      {canReadDisputes ? <OpenDisputes /> : null}
      <ContractsList />
    </div>
  );
}
