import { listPartners } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { partnerOutput } from "./partner-schemas";

export const listPartnersProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "Every partner with its live keys, users and daily payout caps (with what its payouts took of them today, UTC), oldest first.",
    openapi: { method: "GET", path: "/admin/partners", summary: "List partners", tags: ["partners"] },
  })
  .input(z.object({}).default({}))
  .output(z.object({ items: z.array(partnerOutput) }))
  .query(async ({ ctx }) => ({ items: await listPartners({ db: ctx.db, defaultDailyPayoutCaps: ctx.payouts?.dailyPayoutCaps }) }));
