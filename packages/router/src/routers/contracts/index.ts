import { router } from "../../trpc";
import { getContractProcedure } from "./get-contract";
import { listContractsProcedure } from "./list-contracts";
import { registerContractProcedure } from "./register-contract";

export const contractsRouter = router({
  register: registerContractProcedure,
  get: getContractProcedure,
  list: listContractsProcedure,
});
