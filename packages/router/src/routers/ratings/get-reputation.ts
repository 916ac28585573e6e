import { getReputation } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";

const level = z.number().int().nonnegative();
const distribution = z.object({
  counts: z.object({ "-1": level, "0": level, "1": level, "2": level, "3": level, "4": level }),
  total: level,
  defaults: level,
});

export const getReputationProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["ratings:write", "contracts:read"], user: "party" },
    description:
      "A user's LBTAS reputation: counts per level (-1..+4) per role, defaults apart. Never an average.",
    openapi: { method: "GET", path: "/ratings/users/{userId}", summary: "A user's reputation (LBTAS)", tags: ["ratings"] },
  })
  .input(z.object({ userId: z.string().min(1).max(120) }))
  .output(z.object({ userId: z.string(), asProducer: distribution, asConsumer: distribution }))
  .query(({ ctx, input }) => getReputation({ db: ctx.db, userId: input.userId }));
