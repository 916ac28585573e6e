import { router } from "../../trpc";
import { getDisputeProcedure } from "./get-dispute";
import { listDisputesProcedure } from "./list-disputes";
import { resolveDisputeProcedure } from "./resolve-dispute";

export const disputesRouter = router({
  list: listDisputesProcedure,
  get: getDisputeProcedure,
  resolve: resolveDisputeProcedure,
});
