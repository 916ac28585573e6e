/**
 * The request bodies the partner spec (payments-and-financial-tools.md) shows, verbatim. Procedures
 * reference them in `meta.openapi.example.request` so the OpenAPI document and /docs show the
 * spec's own examples, and tests send them to prove the spec's calls work as written.
 */
export const specExamples = {
  createDeposit: {
    userId: "user_buyer1",
    amount: 250000,
    currency: "KES",
    method: "mpesa",
    reference: "MPESA-12345",
    metadata: {
      contractId: "contract_45ab",
    },
  },
  confirmDeposit: {
    confirmedBy: "admin_ops",
    evidenceUrl: "https://cdn.example.org/uploads/receipt-45ab.jpg",
  },
  schedulePayout: {
    userId: "user_prod7",
    amount: 180000,
    currency: "KES",
    destination: {
      type: "mpesa",
      account: "+255700123456",
    },
    contractId: "contract_45ab",
  },
  /** `GET /transactions?userId=user_prod7` */
  listTransactionsQuery: { userId: "user_prod7" },
} as const;

/** The spec's REST paths (OpenAPI notation); the bridge serves these at the root, nowhere else. */
export const specPaths = [
  "POST /deposit",
  "POST /deposit/{depositId}/confirm",
  /** Not in the spec's text; the deposits issue names it beside confirm. */
  "POST /deposit/{depositId}/fail",
  /** The spec's example webhook URL for Stripe. */
  "POST /payments/stripe/webhook",
  "POST /payouts",
  "POST /admin/payouts/run",
  "GET /transactions",
  "POST /submitRating",
  "GET /notifications",
] as const;

/**
 * Root paths beyond the spec's that the product's issues name for partners (contracts, LBTAS
 * reputation, notification reads and stream, settlement exports, webhooks, reconciliation's
 * statement upload, commit and exceptions queue, partners and their keys, users' payout
 * destinations). Everything else
 * lives under /api/v1.
 */
export const promisedRootPaths = [
  ...specPaths,
  "POST /deposit/{depositId}/fail",
  "POST /payments/stripe/webhook",
  "POST /contracts",
  "GET /contracts/{contractId}",
  "GET /ratings/users/{userId}",
  "POST /notifications/{id}/read",
  "GET /notifications/stream",
  "GET /admin/settlements",
  "GET /admin/settlements.csv",
  "GET /federation/trends/settlements",
  "POST /admin/reconciliation/statements",
  "POST /admin/reconciliation/statements/{statementId}/commit",
  "GET /admin/reconciliation/exceptions",
  "POST /admin/partners",
  "GET /admin/partners",
  "PATCH /admin/partners/{partnerId}",
  "POST /admin/partners/{partnerId}/keys",
  "POST /admin/partners/{partnerId}/users/{userId}/share",
  "POST /users/{userId}/payout-destinations",
  "GET /users/{userId}/payout-destinations",
  "DELETE /users/{userId}/payout-destinations/{destinationId}",
] as const;
