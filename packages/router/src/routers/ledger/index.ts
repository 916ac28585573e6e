import { router } from "../../trpc";
import { verifyProcedure } from "./verify-ledger";
import { listAccountHistoryProcedure } from "./list-account-history";
import { getBalanceAtProcedure } from "./get-balance-at";
import { listAccountsProcedure } from "./list-accounts";

export const ledgerRouter = router({
  verify: verifyProcedure,
  listAccountHistory: listAccountHistoryProcedure,
  getBalanceAt: getBalanceAtProcedure,
  listAccounts: listAccountsProcedure,
});
