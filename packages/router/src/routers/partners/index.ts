import { router } from "../../trpc";
import { createPartner } from "./create-partner";
import { createPartnerKeyForPartner } from "./create-partner-key";
import { listPartners } from "./list-partners";
import { shareUser } from "./share-user";
import { updatePartner } from "./update-partner";

export const partnersRouter = router({
  create: createPartner,
  list: listPartners,
  update: updatePartner,
  createKey: createPartnerKeyForPartner,
  shareUser,
});
