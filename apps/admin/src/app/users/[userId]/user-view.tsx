"use client";
import { Card, DateTime, EmptyState, LoadingRows, Money, Pager, Table, TBody, THead, Td, Th, Tr, useKeysetPages } from "@agrinet/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { QueryError } from "../../../components/query-error";
import { useTRPC } from "../../../trpc/client";
import { ContractStatus } from "../../contracts/contract-status";
import { Reputation } from "../../contracts/reputation";
import { DepositStatus, methodLabel } from "../../deposits/deposit-status";
import { describeDestination, destinationLabel, FailureNote, PayoutStatusPill } from "../../payouts/payout-display";

const pageSize = 10;
const linkClass = "text-emerald-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-600";

function accountHref(account: string) {
  return `/ledger/accounts/${encodeURIComponent(account)}`;
}

function Balances({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const balances = useQuery(trpc.balances.getForUser.queryOptions({ userId }));
  return (
    <Card id="user-balances" title="Balances" description="Per currency and account: posted, held for queued payouts, available.">
      {balances.isPending ? (
        <LoadingRows rows={2} label="Loading balances…" />
      ) : balances.isError ? (
        <QueryError error={balances.error} what="the balances" onRetry={() => void balances.refetch()} />
      ) : balances.data.balances.length === 0 ? (
        <EmptyState title="No balance yet">This user has no ledger account: no deposit was confirmed for them.</EmptyState>
      ) : (
        <Table caption="Balances per currency" data-testid="user-balances">
          <THead>
            <tr>
              <Th>Account</Th>
              <Th>Currency</Th>
              <Th align="right">Posted</Th>
              <Th align="right">Held</Th>
              <Th align="right">Available</Th>
            </tr>
          </THead>
          <TBody>
            {balances.data.balances.map((balance) => (
              <Tr key={balance.account}>
                <Td>
                  <Link prefetch={false} href={accountHref(balance.account)} className={`font-mono text-xs ${linkClass}`}>
                    {balance.purpose}
                  </Link>
                </Td>
                <Td>{balance.currency}</Td>
                <Td align="right">
                  <Money amount={balance.posted} currency={balance.currency} />
                </Td>
                <Td align="right">
                  <Money amount={balance.held} currency={balance.currency} />
                </Td>
                <Td align="right">
                  <Money amount={balance.available} currency={balance.currency} />
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

function Deposits({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const pages = useKeysetPages();
  const list = useQuery({ ...trpc.deposits.list.queryOptions({ userId, cursor: pages.cursor, limit: pageSize }), placeholderData: keepPreviousData });
  return (
    <Card
      id="user-deposits"
      title="Deposits"
      description="Newest first."
      actions={
        <Link prefetch={false} href={`/deposits?q=${encodeURIComponent(userId)}`} className={`text-sm ${linkClass}`}>
          All in the deposit queue
        </Link>
      }
    >
      {list.isPending ? (
        <LoadingRows rows={3} label="Loading deposits…" />
      ) : list.isError ? (
        <QueryError error={list.error} what="the deposits" onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title="No deposits" />
      ) : (
        <>
          <Table caption="Deposits of this user" aria-busy={list.isFetching || undefined} data-testid="user-deposits">
            <THead>
              <tr>
                <Th>Reference</Th>
                <Th>Method</Th>
                <Th align="right">Amount</Th>
                <Th>Status</Th>
                <Th>Created</Th>
              </tr>
            </THead>
            <TBody>
              {list.data.items.map((deposit) => (
                <Tr key={deposit.id}>
                  <Td>
                    <Link prefetch={false} href={`/deposits/${encodeURIComponent(deposit.id)}`} className={linkClass}>
                      {deposit.reference}
                    </Link>
                  </Td>
                  <Td>{methodLabel[deposit.method]}</Td>
                  <Td align="right">
                    <Money amount={deposit.amount} currency={deposit.currency} />
                  </Td>
                  <Td>
                    <DepositStatus status={deposit.status} />
                  </Td>
                  <Td>
                    <DateTime iso={deposit.createdAt} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pager label="Deposit pages" {...pages.pagerProps(list.data.nextCursor)} busy={list.isFetching} />
        </>
      )}
    </Card>
  );
}

function Payouts({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const pages = useKeysetPages();
  const list = useQuery({
    ...trpc.payouts.listPayouts.queryOptions({ userId, cursor: pages.cursor, limit: pageSize }),
    placeholderData: keepPreviousData,
  });
  const destinations = list.data
    ? [...new Set(list.data.items.map((payout) => `${destinationLabel[payout.destinationType]} ${describeDestination(payout)}`))]
    : [];
  return (
    <Card id="user-payouts" title="Payouts" description="Newest first, with the destinations they went to.">
      {list.isPending ? (
        <LoadingRows rows={3} label="Loading payouts…" />
      ) : list.isError ? (
        <QueryError error={list.error} what="the payouts" onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title="No payouts" />
      ) : (
        <>
          <p className="mb-3 text-sm text-slate-700" data-testid="user-destinations">
            <span className="font-medium">Payout destinations:</span> {destinations.join(" · ")}
          </p>
          <Table caption="Payouts of this user" aria-busy={list.isFetching || undefined} data-testid="user-payouts">
            <THead>
              <tr>
                <Th>Payout</Th>
                <Th align="right">Amount</Th>
                <Th>Status</Th>
                <Th>Destination</Th>
                <Th>Created</Th>
              </tr>
            </THead>
            <TBody>
              {list.data.items.map((payout) => (
                <Tr key={payout.id}>
                  <Td>
                    <Link prefetch={false} href={`/payouts/${payout.id}`} className={`font-mono text-xs ${linkClass}`}>
                      {payout.id}
                    </Link>
                  </Td>
                  <Td align="right">
                    <Money amount={payout.amount} currency={payout.currency} />
                  </Td>
                  <Td>
                    <PayoutStatusPill status={payout.status} />
                    {payout.status === "failed" ? <FailureNote lastError={payout.lastError} compact /> : null}
                  </Td>
                  <Td>
                    {destinationLabel[payout.destinationType]} {describeDestination(payout)}
                  </Td>
                  <Td>
                    <DateTime iso={payout.createdAt} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pager label="Payout pages" {...pages.pagerProps(list.data.nextCursor)} busy={list.isFetching} />
        </>
      )}
    </Card>
  );
}

function Contracts({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const pages = useKeysetPages();
  const list = useQuery({ ...trpc.contracts.list.queryOptions({ userId, cursor: pages.cursor, limit: pageSize }), placeholderData: keepPreviousData });
  return (
    <Card id="user-contracts" title="Contracts" description="Where this user buys or produces.">
      {list.isPending ? (
        <LoadingRows rows={3} label="Loading contracts…" />
      ) : list.isError ? (
        <QueryError error={list.error} what="the contracts" onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title="No contracts" />
      ) : (
        <>
          <Table caption="Contracts of this user" aria-busy={list.isFetching || undefined} data-testid="user-contracts">
            <THead>
              <tr>
                <Th>Contract</Th>
                <Th>Role</Th>
                <Th>Status</Th>
                <Th align="right">Expected</Th>
                <Th align="right">In escrow</Th>
              </tr>
            </THead>
            <TBody>
              {list.data.items.map((contract) => (
                <Tr key={contract.id}>
                  <Td>
                    <Link prefetch={false} href={`/contracts/${encodeURIComponent(contract.id)}`} className={linkClass}>
                      {contract.id}
                    </Link>
                  </Td>
                  <Td>{contract.producerId === userId ? "producer" : "consumer"}</Td>
                  <Td>
                    <ContractStatus status={contract.status} />
                  </Td>
                  <Td align="right">
                    <Money amount={contract.expectedAmount} currency={contract.currency} />
                  </Td>
                  <Td align="right">
                    <Money amount={contract.escrowBalance} currency={contract.currency} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pager label="Contract pages" {...pages.pagerProps(list.data.nextCursor)} busy={list.isFetching} />
        </>
      )}
    </Card>
  );
}

/** One marketplace user: everything the dashboard knows about them, on one page. */
export function UserView({ userId }: { userId: string }) {
  return (
    <div className="flex flex-col gap-6">
      <Balances userId={userId} />
      <Deposits userId={userId} />
      <Payouts userId={userId} />
      <Contracts userId={userId} />
      <Reputation userId={userId} role="producer" title="Ratings" />
    </div>
  );
}
