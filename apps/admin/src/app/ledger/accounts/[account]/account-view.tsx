"use client";
import { DateTime, Badge, Button, Card, EmptyState, LoadingRows, Money, Pager, Table, TBody, Td, Th, THead, Tr, useKeysetPages } from "@agrinet/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { PageHeader } from "../../../../components/page-header";
import { QueryError } from "../../../../components/query-error";
import { useTRPC } from "../../../../trpc/client";

const pageSize = 25;

function CurrentBalance({ account }: { account: string }) {
  const trpc = useTRPC();
  const balance = useQuery(trpc.balances.getForAccount.queryOptions({ account }));
  return (
    <Card id="account-balance" title="Balance now">
      {balance.isPending ? (
        <LoadingRows label="Loading the balance…" rows={1} />
      ) : balance.isError ? (
        <QueryError error={balance.error} what="the balance" onRetry={() => void balance.refetch()} />
      ) : (
        <dl className="grid gap-3 sm:grid-cols-3" data-testid="account-balance">
          {(
            [
              ["Posted", balance.data.posted],
              ["Held", balance.data.held],
              ["Available", balance.data.available],
            ] as const
          ).map(([label, amount]) => (
            <div key={label} className="rounded-md border border-slate-200 p-3">
              <dt className="text-sm text-slate-600">{label}</dt>
              <dd className="mt-1 text-lg font-semibold">
                <Money amount={amount} currency={balance.data.currency} />
              </dd>
            </div>
          ))}
        </dl>
      )}
      {balance.data ? (
        <p className="mt-3 flex flex-wrap gap-2 text-xs text-slate-600">
          <Badge>{balance.data.ownerType}</Badge>
          <Badge>{balance.data.purpose}</Badge>
          {balance.data.allowNegative ? <Badge tone="info">may go negative (mirrors money outside)</Badge> : null}
        </p>
      ) : null}
    </Card>
  );
}

function toLocalInput(date: Date): string {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

function BalanceAt({ account }: { account: string }) {
  const trpc = useTRPC();
  const id = useId();
  const [at, setAt] = useState<string | null>(null);
  const [invalid, setInvalid] = useState(false);
  const balance = useQuery({
    ...trpc.ledger.getBalanceAt.queryOptions({ account, at: at ?? "" }),
    enabled: at !== null,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get("at");
    const date = typeof value === "string" && value ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setAt(date.toISOString());
  };
  return (
    <Card
      id="balance-at"
      title="Balance at a point in time"
      description="The posted balance the account had at that instant (its last posting at or before it)."
    >
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label="Balance at">
        <label htmlFor={`${id}-at`} className="text-sm font-medium text-slate-700">
          Date and time (your local time)
          <input
            id={`${id}-at`}
            name="at"
            type="datetime-local"
            step={1}
            defaultValue={toLocalInput(new Date())}
            aria-invalid={invalid || undefined}
            aria-describedby={invalid ? `${id}-error` : undefined}
            className="mt-1 block rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-emerald-600"
          />
        </label>
        <Button type="submit" busy={balance.isFetching}>
          Show balance
        </Button>
      </form>
      {invalid ? (
        <p id={`${id}-error`} role="alert" className="mt-2 text-sm text-red-800">
          Enter a date and time.
        </p>
      ) : null}
      <div aria-live="polite" className="mt-3">
        {at === null ? null : balance.isPending ? (
          <p className="text-sm text-slate-600">Looking up the balance…</p>
        ) : balance.isError ? (
          <QueryError error={balance.error} what="the balance at that time" onRetry={() => void balance.refetch()} />
        ) : (
          <p className="text-sm text-slate-800" data-testid="balance-at-result">
            At <DateTime iso={balance.data.at} /> the posted balance
            was{" "}
            <strong>
              <Money amount={balance.data.posted} currency={balance.data.currency} />
            </strong>
            .
          </p>
        )}
      </div>
    </Card>
  );
}

function History({ account }: { account: string }) {
  const trpc = useTRPC();
  const pages = useKeysetPages();
  const history = useQuery({
    ...trpc.ledger.listAccountHistory.queryOptions({ account, cursor: pages.cursor, limit: pageSize }),
    placeholderData: keepPreviousData,
  });
  return (
    <Card
      id="balance-history"
      title="Balance history"
      description="Every posting on this account, newest first, with the balance it left."
      actions={
        <Link
          href={`/ledger?account=${encodeURIComponent(account)}`}
          className="text-sm font-medium text-emerald-800 underline"
        >
          Transactions touching this account
        </Link>
      }
    >
      {history.isPending ? (
        <LoadingRows label="Loading the balance history…" />
      ) : history.isError ? (
        <QueryError error={history.error} what="the balance history" onRetry={() => void history.refetch()} />
      ) : history.data.items.length === 0 ? (
        <EmptyState title="No postings yet">Money has not moved on this account.</EmptyState>
      ) : (
        <>
          <Table caption="Balance history" aria-busy={history.isFetching || undefined}>
            <THead>
              <Tr>
                <Th>When</Th>
                <Th>Transaction</Th>
                <Th>Kind</Th>
                <Th align="right">Amount</Th>
                <Th align="right">Balance after</Th>
              </Tr>
            </THead>
            <TBody>
              {history.data.items.map((entry) => (
                <Tr key={entry.postingId} data-testid="history-entry">
                  <Td>
                    <DateTime iso={entry.createdAt} />
                  </Td>
                  <Td className="font-mono text-xs">#{entry.transactionId}</Td>
                  <Td>
                    <Badge>{entry.kind}</Badge>
                  </Td>
                  <Td align="right">
                    <Money amount={entry.amount} currency={history.data.currency} />
                  </Td>
                  <Td align="right">
                    <Money amount={entry.balanceAfter} currency={history.data.currency} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pager label="History pages" {...pages.pagerProps(history.data.nextCursor)} busy={history.isFetching} />
        </>
      )}
    </Card>
  );
}

export function AccountView({ account }: { account: string }) {
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/ledger" className="text-emerald-800 underline">
          Ledger
        </Link>{" "}
        /{" "}
        <Link href="/ledger/accounts" className="text-emerald-800 underline">
          Accounts
        </Link>
      </nav>
      <PageHeader title={`Account ${account}`} description="Balance now, at any past instant, and its history." />
      <div className="flex flex-col gap-6">
        <CurrentBalance account={account} />
        <BalanceAt account={account} />
        <History account={account} />
      </div>
    </>
  );
}
