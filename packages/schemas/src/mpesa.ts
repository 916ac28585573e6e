import { z } from "zod";
import { mpesaPaymentOutput } from "./deposits";
import { pageInput, pageOutput } from "./pagination";

const ownerId = (what: string) =>
  z.string().regex(/^[A-Za-z0-9_.@-]{1,120}$/, `${what} must be 1-120 characters of letters, digits, _ . @ -`);

const paymentId = z.string().min(1).max(64);

export const paybillAccountInput = z
  .object({ userId: ownerId("userId").optional(), contractId: ownerId("contractId").optional() })
  .refine((input) => !input.userId !== !input.contractId, { message: "name exactly one of userId or contractId", path: ["userId"] });

export const paybillAccountOutput = z.object({
  /** What the payer types as the account number when paying the paybill. */
  accountNumber: z.string(),
  /** The paybill (business number) to pay. */
  paybill: z.string().nullable(),
  userId: z.string().nullable(),
  contractId: z.string().nullable(),
});

export const unmatchedStatuses = ["open", "assigned", "returning", "returned", "all"] as const;

export const listUnmatchedInput = pageInput.extend({
  /** Default open: the queue staff work through. */
  status: z.enum(unmatchedStatuses).optional(),
});

export const listUnmatchedOutput = pageOutput(mpesaPaymentOutput);

export const assignUnmatchedInput = z
  .object({
    paymentId,
    userId: ownerId("userId").optional(),
    contractId: ownerId("contractId").optional(),
    note: z.string().trim().max(500).optional(),
  })
  .refine((input) => !input.userId !== !input.contractId, { message: "name exactly one of userId or contractId", path: ["userId"] });

export const returnUnmatchedInput = z.object({ paymentId, note: z.string().trim().max(500).optional() });
