import { router } from "../../trpc";
import { createPartnerProcedure } from "./create-partner";
import { createPartnerKeyForPartnerProcedure } from "./create-partner-key";
import { listPartnersProcedure } from "./list-partners";
import { shareUserProcedure } from "./share-user";
import { updatePartnerProcedure } from "./update-partner";

export const partnersRouter = router({
  create: createPartnerProcedure,
  list: listPartnersProcedure,
  update: updatePartnerProcedure,
  createKey: createPartnerKeyForPartnerProcedure,
  shareUser: shareUserProcedure,
});
