import { createDeposit } from "@agrinet/domain";
import { createDepositInput, createDepositOutput, specExamples } from "@agrinet/schemas";
import { staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { partnerIdOf } from "../../tenancy";
import { depositSettings } from "./deposit-access";

export const createDepositProcedure = procedure
  .meta({
    access: { staff: staffWriters, partner: ["deposits:write"] },
    description:
      "Records a deposit as pending (credited on confirmation). With method stripe and a paymentMethodId the card is charged at once: confirmed on success, pending with nextAction when the customer must authenticate, 402 when declined. With method mpesa and a phoneNumber an M-Pesa STK Push goes to that phone: pending with nextAction mpesa_stk_push, then confirmed (or failed with M-Pesa's result code) when M-Pesa reports, with no staff action.",
    openapi: {
      method: "POST",
      path: "/deposit",
      summary: "Create a deposit",
      tags: ["deposits"],
      example: { request: specExamples.createDeposit },
      errors: ["DUPLICATE_REFERENCE", "PAYMENT_DECLINED"],
    },
    tenancy: { claimsUsers: true },
  })
  .input(createDepositInput)
  .output(createDepositOutput)
  .mutation(({ ctx, input }) => {
    const settings = depositSettings(ctx);
    return createDeposit({
      db: ctx.db,
      input,
      partnerId: partnerIdOf(ctx.principal),
      minAmount: settings.minAmount,
      maxAmount: settings.maxAmount,
      chargeStripe: settings.chargeStripe,
      mpesa: settings.mpesa ?? null,
    });
  });
