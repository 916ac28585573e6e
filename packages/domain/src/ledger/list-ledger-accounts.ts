import { DomainError, type CurrencyCode } from "@agrinet/core";
import { readAccountOwners, readOwnersBalances } from "@agrinet/stores/ledger";
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
  const owners = await readAccountOwners(client, {
    ...(input.cursor !== undefined ? { after: decodeCursor(input.cursor) } : {}),
    ...(input.ownerType ? { ownerType: input.ownerType } : {}),
    ...(input.search?.trim() ? { codeContains: input.search.trim() } : {}),
    limit: limit + 1,
  });
  const page = owners.slice(0, limit);
  if (page.length === 0) return { items: [], nextCursor: null };
  const accounts = await readOwnersBalances(client, page);

  const byOwner = new Map<string, LedgerAccountOwner>();
  for (const owner of page) {
    byOwner.set(`${owner.ownerType}:${owner.ownerId}`, {
      ownerType: owner.ownerType as AccountOwnerType,
      ownerId: owner.ownerId,
      accounts: [],
    });
  }
  for (const row of accounts) {
    byOwner.get(`${row.ownerType}:${row.ownerId}`)?.accounts.push({
      account: row.code,
      purpose: row.purpose,
      currency: row.currency as CurrencyCode,
      allowNegative: row.allowNegative,
      posted: row.posted,
      held: row.held,
      available: row.posted - row.held,
    });
  }
  const last = page[page.length - 1]!;
  return {
    items: [...byOwner.values()],
    nextCursor: owners.length > limit ? `${last.ownerType}:${last.ownerId}` : null,
  };
}
