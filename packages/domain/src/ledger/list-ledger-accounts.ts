import { DomainError, type CurrencyCode } from "@agrinet/core";
import { Prisma } from "@agrinet/db";
import type { AccountOwnerType } from "./account-codes";
import type { LedgerClient } from "./ledger-types";

export type LedgerAccountOwner = {
  ownerType: AccountOwnerType;
  ownerId: string;
  accounts: Array<{
    account: string;
    purpose: string;
    currency: CurrencyCode;
    allowNegative: boolean;
    posted: bigint;
    held: bigint;
    available: bigint;
  }>;
};

export type LedgerAccountOwnerPage = {
  items: LedgerAccountOwner[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
};

// The cursor is the last owner of the previous page; owner ids cannot contain a colon.
function decodeCursor(cursor: string): { ownerType: string; ownerId: string } {
  const match = /^([a-z_]{1,20}):([A-Za-z0-9_.@-]{1,120})$/.exec(cursor);
  if (!match) {
    throw new DomainError("VALIDATION_FAILED", "cursor: not a cursor from a previous page", {
      fields: [{ path: "cursor", message: "not a cursor from a previous page" }],
    });
  }
  return { ownerType: match[1]!, ownerId: match[2]! };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Ledger accounts grouped by owner (users, contracts, the platform, rails), owners in order,
 * each with its accounts and balances. `search` matches part of the owner id or account code,
 * case-insensitively; keyset pagination over owners.
 */
export async function listLedgerAccounts(
  client: LedgerClient,
  input: { search?: string; ownerType?: AccountOwnerType; cursor?: string; limit?: number },
): Promise<LedgerAccountOwnerPage> {
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new DomainError("VALIDATION_FAILED", "limit: must be an integer from 1 to 200", {
      fields: [{ path: "limit", message: "must be an integer from 1 to 200" }],
    });
  }
  const conditions: Prisma.Sql[] = [];
  if (input.cursor !== undefined) {
    const after = decodeCursor(input.cursor);
    conditions.push(Prisma.sql`(a.owner_type, a.owner_id) > (${after.ownerType}, ${after.ownerId})`);
  }
  if (input.ownerType) conditions.push(Prisma.sql`a.owner_type = ${input.ownerType}`);
  const search = input.search?.trim();
  if (search) conditions.push(Prisma.sql`a.code ilike ${`%${escapeLike(search)}%`}`);
  const where = conditions.length ? Prisma.sql`where ${Prisma.join(conditions, " and ")}` : Prisma.empty;

  const owners = await client.$queryRaw<Array<{ owner_type: AccountOwnerType; owner_id: string }>>`
    select distinct a.owner_type, a.owner_id from ledger_accounts a ${where}
    order by a.owner_type, a.owner_id limit ${limit + 1}`;
  const page = owners.slice(0, limit);
  if (page.length === 0) return { items: [], nextCursor: null };

  const accounts = await client.$queryRaw<
    Array<{
      owner_type: AccountOwnerType;
      owner_id: string;
      code: string;
      purpose: string;
      currency: CurrencyCode;
      allow_negative: boolean;
      posted: bigint;
      held: bigint;
    }>
  >`select a.owner_type, a.owner_id, a.code, a.purpose, a.currency, a.allow_negative, b.posted, b.held
    from ledger_accounts a join ledger_balances b on b.account_id = a.id
    where (a.owner_type, a.owner_id) in (
      select * from unnest(${page.map((o) => o.owner_type)}::text[], ${page.map((o) => o.owner_id)}::text[]))
    order by a.owner_type, a.owner_id, a.purpose, a.currency`;

  const byOwner = new Map<string, LedgerAccountOwner>();
  for (const owner of page) {
    byOwner.set(`${owner.owner_type}:${owner.owner_id}`, {
      ownerType: owner.owner_type,
      ownerId: owner.owner_id,
      accounts: [],
    });
  }
  for (const row of accounts) {
    byOwner.get(`${row.owner_type}:${row.owner_id}`)?.accounts.push({
      account: row.code,
      purpose: row.purpose,
      currency: row.currency,
      allowNegative: row.allow_negative,
      posted: row.posted,
      held: row.held,
      available: row.posted - row.held,
    });
  }
  const last = page[page.length - 1]!;
  return {
    items: [...byOwner.values()],
    nextCursor: owners.length > limit ? `${last.owner_type}:${last.owner_id}` : null,
  };
}
