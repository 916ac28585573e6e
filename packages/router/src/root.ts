import { router } from "./trpc";
import { authRouter } from "./routers/auth";
import { contractsRouter } from "./routers/contracts";
import { disputesRouter } from "./routers/disputes";
import { ratingsRouter } from "./routers/ratings";
import { balancesRouter } from "./routers/balances";
import { ledgerRouter } from "./routers/ledger";
import { systemRouter } from "./routers/system";
import { transactionsRouter } from "./routers/transactions";

export const appRouter = router({
  auth: authRouter,
  system: systemRouter,
  contracts: contractsRouter,
  ratings: ratingsRouter,
  disputes: disputesRouter,
  transactions: transactionsRouter,
  balances: balancesRouter,
  ledger: ledgerRouter,
});

export type AppRouter = typeof appRouter;
