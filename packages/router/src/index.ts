export { appRouter, type AppRouter } from "./root";
export type { Context } from "./context";
export { describeError, createCallerFactory, type ErrorData } from "./trpc";
export * from "./access";
export { notificationRecipientFor, partnerKeyIdFor } from "./routers/caller-scope";
