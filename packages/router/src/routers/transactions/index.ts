import { router } from "../../trpc";
import { listTransactions } from "./list-transactions";

export const transactionsRouter = router({ list: listTransactions });
