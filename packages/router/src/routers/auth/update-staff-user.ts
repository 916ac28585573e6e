import { updateStaffUser } from "@agrinet/domain";
import { z } from "zod";
import { actorOf, staffRoles } from "../../access";
import { procedure } from "../../trpc";
import { staffUserOutput, toStaffUserOutput } from "./create-staff-user";

export const updateStaffUserInput = z.object({
  userId: z.string().min(1),
  role: z.enum(staffRoles).optional(),
  /** true ends the user's sessions and refuses new sign-ins. */
  disabled: z.boolean().optional(),
  password: z.string().min(10, "at least 10 characters").max(200).optional(),
});

export const updateStaffUserProcedure = procedure
  .meta({ access: { staff: ["admin"] }, description: "Change a dashboard user's role, password or disable them (audited)." })
  .input(updateStaffUserInput)
  .output(staffUserOutput)
  .mutation(async ({ ctx, input }) =>
    toStaffUserOutput(await updateStaffUser({ db: ctx.db, ...input, actor: actorOf(ctx.principal), ip: ctx.ip })),
  );
