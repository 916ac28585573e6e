import { currencyInput, instantInput, minorUnitsOutput, positiveMinorUnitsInput } from "@agrinet/core";
import { z } from "zod";
import { pageInput, pageOutput, partnerIdInput } from "./pagination";

export const depositMethods = ["mpesa", "bank", "cash", "stripe"] as const;
export type DepositMethod = (typeof depositMethods)[number];
export const depositStatuses = ["pending", "confirmed", "failed"] as const;
export type DepositStatus = (typeof depositStatuses)[number];
export const depositSortFields = ["createdAt", "amount", "status"] as const;
export type DepositSortField = (typeof depositSortFields)[number];

/** Ids end up inside ledger account codes (`user:<id>:wallet:KES`): same alphabet as the ledger. */
const ownerId = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .regex(/^[A-Za-z0-9_.@-]{1,120}$/, `${what} must be 1-120 characters of letters, digits, _ . @ -`);

const depositId = z.string().min(1).max(64);

export const depositMethodInput = z.enum(depositMethods, {
  error: `unknown method; expected one of ${depositMethods.join(", ")}`,
});

export const createDepositInput = z
  .object({
    userId: ownerId("userId"),
    amount: positiveMinorUnitsInput,
    currency: currencyInput,
    method: depositMethodInput,
    reference: z
      .string({ error: "reference is required" })
      .trim()
      .min(1, "reference is required")
      .max(200, "reference is at most 200 characters"),
    metadata: z
      .looseObject({ contractId: ownerId("metadata.contractId").optional() })
      .default({}),
    /** Stripe only: the PaymentMethod to charge (pm_…). */
    paymentMethodId: z.string().min(1).max(255).optional(),
    /** Stripe only: where a redirect-based confirmation (3-D Secure) comes back to. */
    returnUrl: z.url().optional(),
    /**
     * M-Pesa only: the payer's phone (E.164, +254/+255/+256). With it the deposit sends an STK
     * Push to that phone and confirms itself when M-Pesa reports the payment; without it the
     * deposit waits for staff to confirm it, as before.
     */
    phoneNumber: z
      .string()
      .transform((value) => value.replace(/[\s-]/g, ""))
      .pipe(z.string().regex(/^\+25[456][17]\d{8}$/, "expected an M-Pesa phone number in E.164 such as +254712345678 (+254, +255 or +256)"))
      .optional(),
  })
  .superRefine((input, ctx) => {
    if (input.phoneNumber !== undefined && input.method !== "mpesa") {
      ctx.addIssue({ code: "custom", path: ["phoneNumber"], message: "phoneNumber is for method mpesa only" });
    }
    if (input.method === "stripe" && !input.paymentMethodId) {
      ctx.addIssue({
        code: "custom",
        path: ["paymentMethodId"],
        message: "paymentMethodId is required when method is stripe",
      });
    }
  });
export type CreateDepositInput = z.output<typeof createDepositInput>;

export const confirmDepositInput = z.object({
  depositId,
  /** Taken from the session when there is one; otherwise who the caller says confirmed it. */
  confirmedBy: z.string().trim().min(1).max(200).optional(),
  // http(s) only: the dashboard renders it as a link, where javascript: or data: would run.
  evidenceUrl: z
    .url({ protocol: /^https?$/, error: "evidenceUrl must be an absolute http(s) URL" })
    .max(2000)
    .optional(),
  /** The sha256 an upload to POST /api/v1/uploads/receipts returned. */
  receiptSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "receiptSha256 must be 64 lowercase hex digits")
    .optional(),
});
export type ConfirmDepositInput = z.output<typeof confirmDepositInput>;

export const failDepositInput = z.object({
  depositId,
  reason: z.string({ error: "reason is required" }).trim().min(1, "reason is required").max(1000),
});
export type FailDepositInput = z.output<typeof failDepositInput>;

/** `userId` lets an end user (access "self") name themselves; the deposit must be theirs. */
export const getDepositInput = z.object({ depositId, userId: ownerId("userId").optional() });

export const listDepositsInput = pageInput.extend({
  status: z.enum(depositStatuses).optional(),
  method: depositMethodInput.optional(),
  currency: currencyInput.optional(),
  userId: ownerId("userId").optional(),
  /** Staff: only this partner's deposits (partners always see only their own). */
  partnerId: partnerIdInput.optional(),
  /** Created at or after (ISO 8601). */
  from: instantInput("from must be an ISO 8601 date").optional(),
  /** Created before (ISO 8601). */
  to: instantInput("to must be an ISO 8601 date").optional(),
  /** Part of a reference, or an exact user id. */
  search: z.string().trim().min(1).max(200).optional(),
  /** createdAt (default), amount or status (pending, confirmed, failed; newest first within each). */
  sort: z.enum(depositSortFields).optional(),
  /** desc (default) or asc. A cursor belongs to the sort it came from. */
  direction: z.enum(["asc", "desc"]).optional(),
});
export type ListDepositsInput = z.output<typeof listDepositsInput>;

/** Dates leave as ISO 8601 strings; the pipe gives OpenAPI the wire type. */
const timestamp = z
  .date()
  .transform((d) => d.toISOString())
  .pipe(z.iso.datetime());

/** The M-Pesa payment behind a deposit: STK Push state, receipt, what M-Pesa said. */
export const mpesaPaymentOutput = z.object({
  id: z.string(),
  kind: z.enum(["stk", "c2b"]),
  /** requesting, sent (awaiting the PIN), paid, cancelled, failed, no_answer; C2B: validated, rejected, paid. */
  state: z.string(),
  checkoutRequestId: z.string().nullable(),
  /** The M-Pesa receipt (MpesaReceiptNumber / TransID); unique across all payments. */
  receipt: z.string().nullable(),
  phoneNumber: z.string().nullable(),
  accountReference: z.string().nullable(),
  requestedAmount: minorUnitsOutput.nullable(),
  amount: minorUnitsOutput.nullable(),
  currency: z.string(),
  resultCode: z.string().nullable(),
  resultDesc: z.string().nullable(),
  queries: z.number().int(),
  nextQueryAt: timestamp.nullable(),
  /** Set when STK Query never gave a final answer: staff should look. */
  flaggedAt: timestamp.nullable(),
  /** open, assigned, returning, returned: an unmatched payment in the exceptions queue. */
  exception: z.string().nullable(),
  exceptionReason: z.string().nullable(),
  depositId: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const depositOutput = z.object({
  id: z.string(),
  /** The partner that created it. */
  partnerId: z.string(),
  userId: z.string(),
  amount: minorUnitsOutput,
  currency: z.string(),
  method: z.enum(depositMethods),
  reference: z.string(),
  metadata: z.preprocess((value) => value ?? {}, z.record(z.string(), z.unknown())),
  contractId: z.string().nullable(),
  status: z.enum(depositStatuses),
  ledgerTransactionId: z.string().nullable(),
  ledgerEntryIds: z.array(z.string()),
  confirmedBy: z.string().nullable(),
  evidenceUrl: z.string().nullable(),
  receiptSha256: z.string().nullable(),
  receiptUrl: z.string().nullable(),
  failureCode: z.string().nullable(),
  failureReason: z.string().nullable(),
  stripePaymentIntentId: z.string().nullable(),
  refundedAmount: minorUnitsOutput,
  createdAt: timestamp,
  updatedAt: timestamp,
  confirmedAt: timestamp.nullable(),
  failedAt: timestamp.nullable(),
  /** Present for M-Pesa deposits made by STK Push or paybill. */
  mpesaPayment: mpesaPaymentOutput.nullable().optional(),
}).meta({ id: "Deposit" });

export const createDepositOutput = depositOutput.extend({
  /** Present when Stripe needs the client to finish (3-D Secure): hand these to Stripe.js. */
  nextAction: z
    .discriminatedUnion("type", [
      z.object({
        type: z.literal("stripe_confirmation"),
        paymentIntentId: z.string(),
        clientSecret: z.string(),
        redirectUrl: z.string().nullable(),
      }),
      /** The payer has an M-Pesa prompt on their phone; the deposit confirms itself when they pay. */
      z.object({ type: z.literal("mpesa_stk_push"), checkoutRequestId: z.string() }),
    ])
    .nullable(),
}).meta({ id: "CreatedDeposit" });

export const listDepositsOutput = pageOutput(depositOutput);
