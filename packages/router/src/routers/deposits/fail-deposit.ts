import { failDeposit, recordAudit } from "@agrinet/domain";
import { depositOutput, failDepositInput } from "@agrinet/schemas";
import { actorOf } from "../../access";
import { procedure } from "../../trpc";
import { depositSettlers, partnerMaySettle } from "./deposit-access";

export const failDepositProcedure = procedure
  .meta({
    access: depositSettlers,
    partnerRefusal: partnerMaySettle,
    description: "pending → failed with a reason; no ledger effect. A deposit that is not pending answers 409.",
    openapi: {
      method: "POST",
      path: "/deposit/{depositId}/fail",
      summary: "Fail a deposit",
      tags: ["deposits"],
      example: { request: { reason: "No matching M-Pesa transaction" } },
      errors: ["INVALID_STATE", "NOT_FOUND"],
    },
  })
  .input(failDepositInput)
  .output(depositOutput)
  .mutation(({ ctx, input }) => {
    const actor = actorOf(ctx.principal);
    return failDeposit({
      db: ctx.db,
      depositId: input.depositId,
      reason: input.reason,
      onFailed: (tx, failed) =>
        recordAudit(tx, {
          actor,
          action: "deposit.failed",
          target: `deposit:${failed.id}`,
          ip: ctx.ip,
          metadata: { reason: failed.failureReason, amount: failed.amount, currency: failed.currency },
        }).then(() => undefined),
    });
  });
