import { confirmDeposit, recordAudit } from "@agrinet/domain";
import { confirmDepositInput, depositOutput, specExamples } from "@agrinet/schemas";
import { actorOf } from "../../access";
import { procedure } from "../../trpc";
import { depositSettlers, partnerMaySettle } from "./deposit-access";

export const confirmDepositProcedure = procedure
  .meta({
    access: depositSettlers,
    partnerRefusal: partnerMaySettle,
    description:
      "pending → confirmed with the ledger credit (the method's clearing account → the wallet, or the contract's escrow) in one transaction. Evidence (evidenceUrl or an uploaded receiptSha256) is required. A deposit that is not pending answers 409 and is never credited twice.",
    openapi: {
      method: "POST",
      path: "/deposit/{depositId}/confirm",
      summary: "Confirm a deposit",
      tags: ["deposits"],
      example: { request: specExamples.confirmDeposit },
      errors: ["INVALID_STATE", "NOT_FOUND"],
    },
  })
  .input(confirmDepositInput)
  .output(depositOutput)
  .mutation(async ({ ctx, input }) => {
    const actor = actorOf(ctx.principal);
    const { deposit } = await confirmDeposit({
      db: ctx.db,
      depositId: input.depositId,
      // The session says who confirmed; the body is believed only without one.
      confirmedBy: ctx.principal ? actor : input.confirmedBy,
      evidenceUrl: input.evidenceUrl,
      receiptSha256: input.receiptSha256,
      onConfirmed: (tx, confirmed) =>
        recordAudit(tx, {
          actor,
          action: "deposit.confirmed",
          target: `deposit:${confirmed.id}`,
          ip: ctx.ip,
          metadata: {
            amount: confirmed.amount,
            currency: confirmed.currency,
            evidenceUrl: confirmed.evidenceUrl,
            receiptSha256: confirmed.receiptSha256,
            ledgerTransactionId: confirmed.ledgerTransactionId,
            statedConfirmedBy: input.confirmedBy ?? null,
          },
        }).then(() => undefined),
    });
    return deposit;
  });
