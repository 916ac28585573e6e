import { router } from "./trpc";
import { authRouter } from "./routers/auth";
import { depositsRouter } from "./routers/deposits";
import { systemRouter } from "./routers/system";

export const appRouter = router({
  auth: authRouter,
  deposits: depositsRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
