import { router } from "./trpc";
import { authRouter } from "./routers/auth";
import { contractsRouter } from "./routers/contracts";
import { disputesRouter } from "./routers/disputes";
import { ratingsRouter } from "./routers/ratings";
import { balancesRouter } from "./routers/balances";
import { ledgerRouter } from "./routers/ledger";
import { depositsRouter } from "./routers/deposits";
import { systemRouter } from "./routers/system";
import { transactionsRouter } from "./routers/transactions";
import { notificationsRouter } from "./routers/notifications";
import { settlementsRouter } from "./routers/settlements";
import { payoutsRouter } from "./routers/payouts";
import { webhooksRouter } from "./routers/webhooks";
import { dashboardRouter } from "./routers/dashboard";
import { reconciliationRouter } from "./routers/reconciliation";
import { mpesaRouter } from "./routers/mpesa";
import { partnersRouter } from "./routers/partners";

export const appRouter = router({
  auth: authRouter,
  payouts: payoutsRouter,
  deposits: depositsRouter,
  system: systemRouter,
  contracts: contractsRouter,
  ratings: ratingsRouter,
  disputes: disputesRouter,
  transactions: transactionsRouter,
  balances: balancesRouter,
  ledger: ledgerRouter,
  notifications: notificationsRouter,
  webhooks: webhooksRouter,
  settlements: settlementsRouter,
  dashboard: dashboardRouter,
  reconciliation: reconciliationRouter,
  mpesa: mpesaRouter,
  partners: partnersRouter,
});

export type AppRouter = typeof appRouter;
