import { router } from "./trpc";
import { authRouter } from "./routers/auth";
import { contractsRouter } from "./routers/contracts";
import { disputesRouter } from "./routers/disputes";
import { ratingsRouter } from "./routers/ratings";
import { systemRouter } from "./routers/system";

export const appRouter = router({
  auth: authRouter,
  system: systemRouter,
  contracts: contractsRouter,
  ratings: ratingsRouter,
  disputes: disputesRouter,
});

export type AppRouter = typeof appRouter;
