import { staleReadDb } from "../../context";
import { listDeposits } from "@agrinet/domain";
import { listDepositsInput, listDepositsOutput } from "@agrinet/schemas";
import { procedure } from "../../trpc";
import { listPartnerFilter } from "../../tenancy";
import { depositReaders, onlyOwnDeposits } from "./deposit-access";

export const listDepositsProcedure = procedure
  .meta({
    access: depositReaders,
    description:
      "Deposits newest first, filtered by status, method, currency, user and creation date, searched by reference or user id; sorted by creation time (default), amount or status, either way; keyset-paginated (pass nextCursor back as cursor, with the same sort).",
    openapi: { method: "GET", path: "/api/v1/deposits", summary: "List deposits", tags: ["deposits"] },
  })
  .input(listDepositsInput)
  .output(listDepositsOutput)
  .query(({ ctx, input }) =>
    listDeposits({
      db: staleReadDb(ctx),
      filter: { ...input, partnerId: listPartnerFilter(ctx.principal, input.partnerId) },
      onlyUserId: onlyOwnDeposits(ctx.principal) }),
  );
