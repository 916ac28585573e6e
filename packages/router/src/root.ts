import { router } from "./trpc";
import { notificationsRouter } from "./routers/notifications";
import { settlementsRouter } from "./routers/settlements";
import { systemRouter } from "./routers/system";
import { webhooksRouter } from "./routers/webhooks";

export const appRouter = router({
  system: systemRouter,
  notifications: notificationsRouter,
  webhooks: webhooksRouter,
  settlements: settlementsRouter,
});

export type AppRouter = typeof appRouter;
