export { appRouter, type AppRouter } from "./root";
export { defaultPayoutSettings, type Context, type PayoutSettings } from "./context";
export { describeError, createCallerFactory, type ErrorData } from "./trpc";
export * from "./access";
