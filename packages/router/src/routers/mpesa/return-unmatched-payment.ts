import { getUnmatchedPayment, returnUnmatchedPayment } from "@agrinet/domain";
import { mpesaPaymentOutput, returnUnmatchedInput } from "@agrinet/schemas";
import { actorOf, staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { mpesaCollections } from "./mpesa-access";

export const returnUnmatchedPaymentProcedure = procedure
  .meta({
    access: { staff: staffWriters },
    description:
      "Sends an open unmatched M-Pesa payment back to the payer with Daraja's Transaction Reversal: returning now, returned (out of suspense) when M-Pesa's result arrives, open again if M-Pesa refuses. Audited.",
    openapi: {
      method: "POST",
      path: "/api/v1/mpesa/unmatched-payments/{paymentId}/return",
      summary: "Return an unmatched M-Pesa payment",
      tags: ["mpesa"],
      errors: ["INVALID_STATE", "NOT_FOUND"],
    },
  })
  .input(returnUnmatchedInput)
  .output(mpesaPaymentOutput)
  .mutation(async ({ ctx, input }) => {
    // An unknown payment is a 404 whether or not M-Pesa is configured here.
    if (!ctx.deposits?.mpesa) await getUnmatchedPayment(ctx.db, input.paymentId);
    return returnUnmatchedPayment({
      db: ctx.db,
      client: mpesaCollections(ctx).client,
      paymentId: input.paymentId,
      note: input.note,
      actor: actorOf(ctx.principal),
      ip: ctx.ip,
    });
  });
