import { assignUnmatchedPayment } from "@agrinet/domain";
import { assignUnmatchedInput, depositOutput, mpesaPaymentOutput } from "@agrinet/schemas";
import { z } from "zod";
import { actorOf, staffWriters } from "../../access";
import { procedure } from "../../trpc";

export const assignUnmatchedPaymentProcedure = procedure
  .meta({
    access: { staff: staffWriters },
    description:
      "Gives an open unmatched M-Pesa payment to a user's wallet or a contract's escrow: a confirmed mpesa deposit whose credit moves the money out of suspense. Audited; the payment stays in the queue as assigned. A payment already assigned or being returned answers 409.",
    openapi: {
      method: "POST",
      path: "/api/v1/mpesa/unmatched-payments/{paymentId}/assign",
      summary: "Assign an unmatched M-Pesa payment",
      tags: ["mpesa"],
      errors: ["INVALID_STATE", "NOT_FOUND"],
    },
  })
  .input(assignUnmatchedInput)
  .output(z.object({ payment: mpesaPaymentOutput, deposit: depositOutput }))
  .mutation(({ ctx, input }) =>
    assignUnmatchedPayment({
      db: ctx.db,
      paymentId: input.paymentId,
      userId: input.userId,
      contractId: input.contractId,
      note: input.note,
      actor: actorOf(ctx.principal),
      ip: ctx.ip,
    }),
  );
