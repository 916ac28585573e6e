import { describeActors } from "@agrinet/domain";
import { z } from "zod";
import { staffRoles } from "../../access";
import { procedure } from "../../trpc";

const actorDescription = z.object({
  actor: z.string(),
  kind: z.enum(["staff", "partner", "user", "other"]),
  name: z.string(),
  detail: z.string().nullable(),
  userId: z.string().nullable(),
});

export const describeActorsProcedure = procedure
  .meta({ access: { staff: [...staffRoles] }, description: "Names for recorded actors (staff:<id>, partner:<keyId>, user:<id>)." })
  .input(z.object({ actors: z.array(z.string().min(1).max(200)).min(1).max(200) }))
  .output(z.array(actorDescription))
  .query(({ ctx, input }) => describeActors({ db: ctx.db, actors: input.actors }));
