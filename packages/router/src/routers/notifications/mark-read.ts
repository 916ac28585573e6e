import { markNotificationsRead } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { notificationRecipientFor } from "../caller-scope";
import { notificationId } from "./notification-schemas";

export const markReadInput = z
  .object({
    userId: z.string().min(1).optional(),
    ids: z.array(notificationId).max(500).optional(),
    /** Marks everything up to and including this id. */
    upToId: notificationId.optional(),
  })
  .refine((input) => input.upToId !== undefined || (input.ids?.length ?? 0) > 0, {
    message: "give ids or upToId",
    path: ["ids"],
  });

export const markRead = procedure
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
export const markOneRead = procedure
  .meta({
    access: { staff: everyStaff, partner: ["notifications:read"], user: "self" },
    description: "Marks one notification read. Idempotent.",
    openapi: { method: "POST", path: "/notifications/{id}/read", tags: ["notifications"], summary: "Mark a notification read" },
  })
  .input(z.object({ id: notificationId, userId: z.string().min(1).optional() }))
  .output(z.object({ updated: z.number() }))
  .mutation(({ ctx, input }) =>
    markNotificationsRead({
      db: ctx.db,
      recipient: notificationRecipientFor(ctx.principal, input.userId),
      ids: [input.id],
    }),
  );
