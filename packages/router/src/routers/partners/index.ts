import { router } from "../../trpc";
import { createPartner } from "./create-partner";
import { createPartnerKeyForPartner } from "./create-partner-key";
import { listPartners } from "./list-partners";
import { shareUser } from "./share-user";

export const partnersRouter = router({
  create: createPartner,
  list: listPartners,
  createKey: createPartnerKeyForPartner,
  shareUser,
});
