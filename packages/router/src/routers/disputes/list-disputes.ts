import { listDisputes } from "@agrinet/domain";
import { pageInput, pageOutput } from "@agrinet/schemas";
import { z } from "zod";
import { staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { disputeOutput } from "./dispute-output";

export const listDisputesProcedure = procedure
  .meta({
    access: { staff: staffWriters },
    description: "Disputes opened by -1 ratings, oldest first, with their narratives.",
    openapi: { method: "GET", path: "/api/v1/disputes", summary: "List disputes", tags: ["disputes"] },
  })
  .input(pageInput.extend({ status: z.enum(["open", "resolved"]).optional() }))
  .output(pageOutput(disputeOutput))
  .query(({ ctx, input }) => listDisputes({ db: ctx.db, ...input }));
