"use client";
import { Button, Card, EmptyState, LoadingRows, Money, Pager, Table, TBody, Td, Th, THead, Tr, useKeysetPages } from "@agrinet/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { QueryError } from "../../../components/query-error";
import { useTRPC } from "../../../trpc/client";
import { accountHref } from "../ledger-filters";

const ownerTypes = [
  { value: "", label: "All owners" },
  { value: "user", label: "Users" },
  { value: "contract", label: "Contracts" },
  { value: "platform", label: "Platform" },
  { value: "external", label: "Rails (clearing)" },
  { value: "payouts", label: "Payouts in flight" },
] as const;
type OwnerType = Exclude<(typeof ownerTypes)[number]["value"], "">;

export function AccountsView() {
  const trpc = useTRPC();
  const id = useId();
  const [query, setQuery] = useState<{ search?: string; ownerType?: OwnerType }>({});
  const pages = useKeysetPages();
  const accounts = useQuery({
    ...trpc.ledger.listAccounts.queryOptions({ ...query, cursor: pages.cursor, limit: 25 }),
    placeholderData: keepPreviousData,
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const search = String(data.get("search") ?? "").trim();
    const ownerType = String(data.get("ownerType") ?? "") as OwnerType | "";
    setQuery({ search: search || undefined, ownerType: ownerType || undefined });
    pages.reset();
  };
  const field =
    "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-emerald-600";

  return (
    <Card id="ledger-accounts" title="Accounts by owner">
      <form onSubmit={submit} role="search" aria-label="Search accounts" className="mb-4 grid gap-3 sm:grid-cols-4">
        <label htmlFor={`${id}-search`} className="text-sm font-medium text-slate-700 sm:col-span-2">
          Search (user id, contract id or account code)
          <input id={`${id}-search`} name="search" type="search" placeholder="user_buyer1" className={field} />
        </label>
        <label htmlFor={`${id}-owner`} className="text-sm font-medium text-slate-700">
          Owner
          <select id={`${id}-owner`} name="ownerType" className={field}>
            {ownerTypes.map((type) => (
              <option key={type.value} value={type.value}>
                {type.label}
              </option>
            ))}
          </select>
        </label>
        <div className="flex items-end">
          <Button type="submit">Search</Button>
        </div>
      </form>
      {accounts.isPending ? (
        <LoadingRows label="Loading accounts…" />
      ) : accounts.isError ? (
        <QueryError error={accounts.error} what="the ledger accounts" onRetry={() => void accounts.refetch()} />
      ) : accounts.data.items.length === 0 ? (
        <EmptyState title="No accounts match">
          {query.search ? "Try part of a user id or account code." : "Accounts appear when money first moves."}
        </EmptyState>
      ) : (
        <>
          <Table caption="Ledger accounts grouped by owner" aria-busy={accounts.isFetching || undefined}>
            <THead>
              <Tr>
                <Th>Owner</Th>
                <Th>Account</Th>
                <Th align="right">Posted</Th>
                <Th align="right">Held</Th>
                <Th align="right">Available</Th>
              </Tr>
            </THead>
            <TBody>
              {accounts.data.items.flatMap((owner) =>
                owner.accounts.map((account, index) => (
                  <Tr key={account.account} data-testid="ledger-account">
                    {index === 0 ? (
                      <Td rowSpan={owner.accounts.length} className="align-top">
                        <span className="text-xs uppercase tracking-wide text-slate-500">{owner.ownerType}</span>
                        <br />
                        <span className="font-medium text-slate-900">{owner.ownerId}</span>
                      </Td>
                    ) : null}
                    <Td>
                      <Link prefetch={false} href={accountHref(account.account)} className="font-mono text-xs text-emerald-800 underline">
                        {account.account}
                      </Link>
                    </Td>
                    <Td align="right">
                      <Money amount={account.posted} currency={account.currency} />
                    </Td>
                    <Td align="right">
                      <Money amount={account.held} currency={account.currency} />
                    </Td>
                    <Td align="right">
                      <Money amount={account.available} currency={account.currency} />
                    </Td>
                  </Tr>
                )),
              )}
            </TBody>
          </Table>
          <Pager
            label="Account pages"
            {...pages.pagerProps(accounts.data.nextCursor)}
            busy={accounts.isFetching}
            previousLabel="Previous"
            nextLabel="Next"
          />
        </>
      )}
    </Card>
  );
}
