/** One module per area; import the area you need (`@agrinet/stores/payouts`). */
export * as payoutsStore from "./payouts";
export * as ledgerStore from "./ledger";
export * as tenancyStore from "./tenancy";
export * as payoutDestinationsStore from "./payout-destinations";
export * as dashboardSearchStore from "./dashboard-search";
