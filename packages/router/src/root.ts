import { router } from "./trpc";
import { authRouter } from "./routers/auth";
import { payoutsRouter } from "./routers/payouts";
import { systemRouter } from "./routers/system";

export const appRouter = router({
  auth: authRouter,
  payouts: payoutsRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
