import { createStaffUser } from "@agrinet/domain";
import { z } from "zod";
import { actorOf, staffRoles } from "../../access";
import { procedure } from "../../trpc";

export const staffUserOutput = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(staffRoles),
  disabledAt: z.string().nullable(),
  createdAt: z.string(),
});

export function toStaffUserOutput(user: {
  id: string;
  email: string;
  name: string;
  role: (typeof staffRoles)[number];
  disabledAt: Date | null;
  createdAt: Date;
}): z.infer<typeof staffUserOutput> {
  return { ...user, disabledAt: user.disabledAt?.toISOString() ?? null, createdAt: user.createdAt.toISOString() };
}

export const createStaffUserInput = z.object({
  email: z.email(),
  name: z.string().trim().max(200).optional(),
  password: z.string().min(10, "at least 10 characters").max(200),
  role: z.enum(staffRoles),
});

export const createStaffUserProcedure = procedure
  .meta({ access: { staff: ["admin"] }, description: "Create a dashboard user (audited)." })
  .input(createStaffUserInput)
  .output(staffUserOutput)
  .mutation(async ({ ctx, input }) =>
    toStaffUserOutput(await createStaffUser({ db: ctx.db, ...input, actor: actorOf(ctx.principal), ip: ctx.ip })),
  );
