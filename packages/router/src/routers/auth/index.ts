import { router } from "../../trpc";
import { createPartnerKey } from "./create-partner-key";
import { createStaffUser } from "./create-staff-user";
import { describeActors } from "./describe-actors";
import { listAuditLog } from "./list-audit-log";
import { listPartnerKeys } from "./list-partner-keys";
import { listPermissions } from "./list-permissions";
import { listStaffUsers } from "./list-staff-users";
import { me } from "./me";
import { revokePartnerKey } from "./revoke-partner-key";
import { updateStaffUser } from "./update-staff-user";

export const authRouter = router({
  me,
  listPermissions,
  createStaffUser,
  updateStaffUser,
  listStaffUsers,
  createPartnerKey,
  revokePartnerKey,
  listPartnerKeys,
  listAuditLog,
  describeActors,
});
