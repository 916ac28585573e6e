import { router } from "../../trpc";
import { createPartnerKeyProcedure } from "./create-partner-key";
import { createStaffUserProcedure } from "./create-staff-user";
import { describeActorsProcedure } from "./describe-actors";
import { listAuditLogProcedure } from "./list-audit-log";
import { listPartnerKeysProcedure } from "./list-partner-keys";
import { listPermissionsProcedure } from "./list-permissions";
import { listStaffUsersProcedure } from "./list-staff-users";
import { meProcedure } from "./me";
import { revokePartnerKeyProcedure } from "./revoke-partner-key";
import { updateStaffUserProcedure } from "./update-staff-user";

export const authRouter = router({
  me: meProcedure,
  listPermissions: listPermissionsProcedure,
  createStaffUser: createStaffUserProcedure,
  updateStaffUser: updateStaffUserProcedure,
  listStaffUsers: listStaffUsersProcedure,
  createPartnerKey: createPartnerKeyProcedure,
  revokePartnerKey: revokePartnerKeyProcedure,
  listPartnerKeys: listPartnerKeysProcedure,
  listAuditLog: listAuditLogProcedure,
  describeActors: describeActorsProcedure,
});
