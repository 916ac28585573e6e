import { listStaffUsers } from "@agrinet/domain";
import { z } from "zod";
import { procedure } from "../../trpc";
import { staffUserOutput, toStaffUserOutput } from "./create-staff-user";

export const listStaffUsersProcedure = procedure
  .meta({ access: { staff: ["admin"] }, description: "Every dashboard user." })
  .input(z.void())
  .output(z.array(staffUserOutput))
  .query(async ({ ctx }) => (await listStaffUsers({ db: ctx.db })).map(toStaffUserOutput));
