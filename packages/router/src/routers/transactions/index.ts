import { router } from "../../trpc";
import { listTransactionsProcedure } from "./list-transactions";

export const transactionsRouter = router({ list: listTransactionsProcedure });
