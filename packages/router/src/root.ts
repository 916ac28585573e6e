import { router } from "./trpc";
import { authRouter } from "./routers/auth";
import { depositsRouter } from "./routers/deposits";
import { balancesRouter } from "./routers/balances";
import { ledgerRouter } from "./routers/ledger";
import { systemRouter } from "./routers/system";
import { transactionsRouter } from "./routers/transactions";

export const appRouter = router({
  auth: authRouter,
  deposits: depositsRouter,
  system: systemRouter,
  transactions: transactionsRouter,
  balances: balancesRouter,
  ledger: ledgerRouter,
});

export type AppRouter = typeof appRouter;
