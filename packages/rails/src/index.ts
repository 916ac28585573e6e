export type {
  PayoutDestination,
  PayoutOutcome,
  PayoutRail,
  PayoutRailName,
  PayoutRequest,
  PayoutStatus,
} from "./payout-rail";
export { parseProviderKey, providerKeyOf } from "./payout-rail";
export { DarajaB2cRail } from "./mpesa/daraja-b2c-rail";
export type { DarajaB2cOptions } from "./mpesa/daraja-b2c-rail";
export {
  checkDarajaB2cResult,
  darajaCallbackPaths,
  parseDarajaB2cResult,
  parseDarajaQueueTimeout,
  parseDarajaStatusResult,
  toWholeUnits,
  darajaCallbackTokenCheck,
} from "./mpesa/daraja-callbacks";
export type { DarajaB2cResult, DarajaResultParameters, DarajaStatusResult } from "./mpesa/daraja-callbacks";
export { classifyDarajaResult, classifyDarajaStatusResult } from "./mpesa/daraja-result-codes";
export { createStripeClient } from "./stripe/stripe-client";
export type { StripeClientOptions } from "./stripe/stripe-client";
export { StripeTransferRail, classifyStripeError } from "./stripe/stripe-transfer-rail";
export { chargeStripeDeposit, paymentIntentOutcome } from "./stripe/stripe-deposits";
export type { StripeDepositCharge, StripeDepositOutcome } from "./stripe/stripe-deposits";
export { verifyStripeWebhook } from "./stripe/stripe-webhooks";
export type { StripeWebhookInput } from "./stripe/stripe-webhooks";
export { BankTransferRail, exportBankPayoutBatchCsv } from "./bank/bank-transfer-rail";
export type { BankBatchRow } from "./bank/bank-transfer-rail";
export { listStripeBalanceTransactions } from "./stripe/stripe-balance-transactions";
export type { StripeBalanceLine } from "./stripe/stripe-balance-transactions";
export { retrieveStripePayout } from "./stripe/stripe-payouts";
export type { StripePlatformPayout } from "./stripe/stripe-payouts";
export {
  DarajaCollections,
  darajaCollectionPaths,
  darajaRefusedUrlWords,
  darajaTimestamp,
  describeStkResult,
  mpesaAmountToMinor,
  parseC2bPayment,
  parseReversalResult,
  parseStkCallback,
} from "./mpesa/daraja-collections";
export type {
  C2bPayment,
  DarajaCollectionsOptions,
  ReversalOutcome,
  ReversalRequest,
  ReversalResult,
  StkCallback,
  StkPushOutcome,
  StkPushRequest,
  StkQueryOutcome,
} from "./mpesa/daraja-collections";
export { createMpesaCollectionsFromEnv, createPayoutRailsFromEnv, defaultC2bCallbackBaseUrl } from "./rails-from-env";
export type { MpesaCollectionsEnv, MpesaCollectionsFromEnv, PayoutRailsByName, PayoutRailsEnv } from "./rails-from-env";
