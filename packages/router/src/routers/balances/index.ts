import { router } from "../../trpc";
import { getBalanceForAccount } from "./get-for-account";
import { getBalancesForUser } from "./get-for-user";

export const balancesRouter = router({ getForUser: getBalancesForUser, getForAccount: getBalanceForAccount });
