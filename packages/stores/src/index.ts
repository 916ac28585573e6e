/** One module per area; import the area you need (`@agrinet/stores/payouts`). */
export * as payoutsStore from "./payouts";
export * as payoutCreateStore from "./payout-create";
export * as payoutRunsStore from "./payout-runs";
export * as ledgerStore from "./ledger";
export * as tenancyStore from "./tenancy";
export * as payoutDestinationsStore from "./payout-destinations";
export * as dashboardSearchStore from "./dashboard-search";
export * as depositsStore from "./deposits";
export * as outboxStore from "./outbox";
export * as contractsStore from "./contracts";
export * as settlementsStore from "./settlements";
export * as systemStore from "./system";
export * as reconciliationStore from "./reconciliation";
export * as depositCreditsStore from "./deposit-credits";
export * as mpesaPaymentsStore from "./mpesa-payments";
export * as paybillAccountsStore from "./paybill-accounts";
export * as idempotencyKeysStore from "./idempotency-keys";
