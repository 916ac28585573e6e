import { staleReadDb } from "../../context";
import { currencyInput, instantInput, minorUnitsOutput } from "@agrinet/core";
import { ledgerTransactionKinds, listLedgerTransactions } from "@agrinet/domain";
import { bigintIdOutput, isoDateOutput, specExamples } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";

export const listTransactionsInput = z.object({
  /** Whose transactions; end users may only ask for their own. Staff may omit it. */
  userId: z.string().min(1).max(120).optional(),
  account: z.string().min(1).max(200).optional(),
  currency: currencyInput.optional(),
  kind: z.enum(ledgerTransactionKinds).optional(),
  contractId: z.string().min(1).max(120).optional(),
  from: instantInput().optional(),
  to: instantInput().optional(),
  cursor: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ledgerPostingOutput = z.object({
  id: bigintIdOutput,
  account: z.string(),
  amount: minorUnitsOutput,
  currency: z.string(),
  balanceAfter: minorUnitsOutput,
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

export const listTransactions = procedure
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
  .query(({ ctx, input }) => listLedgerTransactions(staleReadDb(ctx), input));
