import { router } from "../../trpc";
import { confirmDepositProcedure } from "./confirm-deposit";
import { createDepositProcedure } from "./create-deposit";
import { failDepositProcedure } from "./fail-deposit";
import { getDepositProcedure } from "./get-deposit";
import { listDepositsProcedure } from "./list-deposits";

export const depositsRouter = router({
  create: createDepositProcedure,
  confirm: confirmDepositProcedure,
  fail: failDepositProcedure,
  get: getDepositProcedure,
  list: listDepositsProcedure,
});
