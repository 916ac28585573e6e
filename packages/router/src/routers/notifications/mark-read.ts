import { markNotificationsRead } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { notificationRecipientFor } from "../caller-scope";
import { markReadInput } from "./notification-schemas";

export const markReadProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["notifications:read"], user: "self" },
    description: "Marks notifications read (by id, or all up to an id). Idempotent.",
  })
  .input(markReadInput)
  .output(z.object({ updated: z.number() }))
  .mutation(({ ctx, input }) =>
    markNotificationsRead({
      db: ctx.db,
      recipient: notificationRecipientFor(ctx.principal, input.userId),
      ids: input.ids,
      upToId: input.upToId,
    }),
  );

/** `POST /notifications/{id}/read`: one notification, as partners were promised. */
