import { markNotificationsRead } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { notificationRecipientFor } from "../caller-scope";
import { notificationId } from "./notification-schemas";

export const markOneReadProcedure = procedure
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
