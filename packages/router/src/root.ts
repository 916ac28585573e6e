import { router } from "./trpc";
import { balancesRouter } from "./routers/balances";
import { ledgerRouter } from "./routers/ledger";
import { systemRouter } from "./routers/system";
import { transactionsRouter } from "./routers/transactions";

export const appRouter = router({
  system: systemRouter,
  transactions: transactionsRouter,
  balances: balancesRouter,
  ledger: ledgerRouter,
});

export type AppRouter = typeof appRouter;
