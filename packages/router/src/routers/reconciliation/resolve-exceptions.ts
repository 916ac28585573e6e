import { resolveExceptions } from "@agrinet/domain";
import { z } from "zod";
import { actorOf, staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { exceptionIdInput, exceptionWithAgeOutput, withAge } from "./reconciliation-schemas";

const reason = z.string().trim().min(3, "say why").max(2000);

export const resolveExceptionsProcedure = procedure
  .meta({
    access: { staff: staffWriters },
    description:
      "Resolves exceptions: `explain` (with a reason, many at once), `link` a line to ledger postings by hand, or `adjust` (posts the difference between the source's clearing account and a platform account, audited).",
    openapi: { method: "POST", path: "/api/v1/reconciliation/exceptions/resolve", tags: ["reconciliation"], summary: "Resolve exceptions" },
  })
  .input(
    z.object({
      exceptionIds: z.array(exceptionIdInput).min(1).max(500),
      resolution: z.discriminatedUnion("action", [
        z.object({ action: z.literal("explain"), reason }),
        z.object({ action: z.literal("link"), reason, postingIds: z.array(exceptionIdInput).min(1).max(10_000) }),
        z.object({ action: z.literal("adjust"), reason, counterAccount: z.string().min(1).max(200) }),
      ]),
    }),
  )
  .output(z.object({ items: z.array(exceptionWithAgeOutput) }))
  .mutation(async ({ ctx, input }) => {
    const items = await resolveExceptions({
      db: ctx.db,
      exceptionIds: input.exceptionIds,
      resolution: input.resolution,
      actor: actorOf(ctx.principal),
      ip: ctx.ip,
    });
    return { items: items.map((e) => withAge(e)) };
  });
