export { appRouter, type AppRouter } from "./root";
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
export { procedureInvoker, type ProcedureInvoker } from "./invoke-procedure";
export { rejectUnknownKeys, unknownInputKeys, withStrictInputs } from "./strict-input";
export { defaultDepositSettings, defaultPayoutSettings, type Context, type PayoutSettings } from "./context";
export * from "./access";
export { notificationRecipientFor, partnerKeyIdFor } from "./routers/caller-scope";
export { assertCallerReaches } from "./tenancy";
