import { listUnmatchedPayments } from "@agrinet/domain";
import { listUnmatchedInput, listUnmatchedOutput } from "@agrinet/schemas";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";

export const listUnmatchedPaymentsProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description:
      "The exceptions queue: M-Pesa payments that matched no request (unknown account, below the minimum, a confirmation without validation, a different amount or phone than requested), held in suspense:mpesa:<CCY> until staff assign or return them. Newest first, open ones by default.",
    openapi: { method: "GET", path: "/api/v1/mpesa/unmatched-payments", summary: "List unmatched M-Pesa payments", tags: ["mpesa"] },
  })
  .input(listUnmatchedInput)
  .output(listUnmatchedOutput)
  .query(({ ctx, input }) => listUnmatchedPayments({ db: ctx.db, status: input.status, limit: input.limit, cursor: input.cursor }));
