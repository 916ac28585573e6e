import { getDeposit } from "@agrinet/domain";
import { depositOutput, getDepositInput } from "@agrinet/schemas";
import { procedure } from "../../trpc";
import { depositReaders, onlyOwnDeposits } from "./deposit-access";

export const getDepositProcedure = procedure
  .meta({
    access: depositReaders,
    description: "One deposit with its status, ledger entry ids, evidence and failure reason.",
    openapi: { method: "GET", path: "/api/v1/deposits/{depositId}", summary: "Get a deposit", tags: ["deposits"] },
  })
  .input(getDepositInput)
  .output(depositOutput)
  .query(({ ctx, input }) =>
    getDeposit({ db: ctx.db, depositId: input.depositId, onlyUserId: onlyOwnDeposits(ctx.principal) }),
  );
