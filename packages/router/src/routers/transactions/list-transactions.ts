import { staleReadDb } from "../../context";
import { currencyInput, instantInput, minorUnitsOutput } from "@agrinet/core";
import { ledgerTransactionKinds, listLedgerTransactions } from "@agrinet/domain";
import { bigintIdOutput, int8IdInput, isoDateOutput, specExamples } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { listPartnerFilter, partnerIdFilterInput } from "../../tenancy";

export const listTransactionsInput = z.object({
  /** Whose transactions; end users may only ask for their own. Staff may omit it. */
  userId: z.string().min(1).max(120).optional(),
  account: z.string().min(1).max(200).optional(),
  /** Staff: only this partner's users' and contracts' transactions (partners always see only their own). */
  partnerId: partnerIdFilterInput.optional(),
  currency: currencyInput.optional(),
  kind: z.enum(ledgerTransactionKinds).optional(),
  contractId: z.string().min(1).max(120).optional(),
  from: instantInput().optional(),
  to: instantInput().optional(),
  cursor: int8IdInput().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ledgerPostingOutput = z.object({
  id: bigintIdOutput,
  account: z.string(),
  amount: minorUnitsOutput,
  currency: z.string(),
  /** The account's balance after this posting; null on other parties' accounts for end users. */
  balanceAfter: minorUnitsOutput.nullable(),
});

export const listTransactionsOutput = z.object({
  items: z.array(
    z.object({
      id: bigintIdOutput,
      idempotencyKey: z.string(),
      kind: z.string(),
      metadata: z.record(z.string(), z.unknown()),
      contractId: z.string().nullable(),
      createdAt: isoDateOutput,
      postings: z.array(ledgerPostingOutput),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const listTransactionsProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["transactions:read"], user: "self" },
    description:
      "Ledger transactions, newest first, each with its postings. Keyset pagination: pass nextCursor as cursor.",
    openapi: {
      method: "GET",
      path: "/transactions",
      tags: ["ledger"],
      summary: "A user's (or account's) ledger transactions with postings",
      example: { request: specExamples.listTransactionsQuery },
    },
  })
  .input(listTransactionsInput)
  .output(listTransactionsOutput)
  .query(async ({ ctx, input }) => {
    const page = await listLedgerTransactions(staleReadDb(ctx), { ...input, partnerId: listPartnerFilter(ctx.principal, input.partnerId) });
    const principal = ctx.principal;
    if (principal?.kind !== "user") return page;
    // A clearing account's running balance is the platform's volume, another user's their
    // wallet: an end user sees running balances of their own accounts only.
    const own = `user:${principal.userId}:`;
    return {
      ...page,
      items: page.items.map((item) => ({
        ...item,
        postings: item.postings.map((posting) => (posting.account.startsWith(own) ? posting : { ...posting, balanceAfter: null })),
      })),
    };
  });
