import { router } from "../../trpc";
import { getBalanceForAccountProcedure } from "./get-for-account";
import { getBalancesForUserProcedure } from "./get-for-user";

export const balancesRouter = router({ getForUser: getBalancesForUserProcedure, getForAccount: getBalanceForAccountProcedure });
