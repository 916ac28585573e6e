export { appRouter, type AppRouter } from "./root";
export type { Context } from "./context";
export {
  describeError,
  createCallerFactory,
  procedure,
  router,
  type ErrorData,
  type Meta,
  type RestMeta,
  type RestMethod,
} from "./trpc";
export * from "./access";
