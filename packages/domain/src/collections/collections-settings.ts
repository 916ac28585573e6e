import type { ReversalOutcome, ReversalRequest, StkPushOutcome, StkPushRequest, StkQueryOutcome } from "@agrinet/rails";

/** What the collections code asks of Daraja; `DarajaCollections` in production and tests alike. */
export type MpesaCollectionsClient = {
  readonly c2bShortcode: string;
  stkPush(request: StkPushRequest): Promise<StkPushOutcome>;
  stkQuery(checkoutRequestId: string): Promise<StkQueryOutcome>;
  registerC2bUrls(): Promise<{ ok: true } | { ok: false; code: string; message: string }>;
  reverse(request: ReversalRequest): Promise<ReversalOutcome>;
};

export type MpesaCollectionsSettings = {
  client: MpesaCollectionsClient;
  /** MPESA_STK_TIMEOUT_SECONDS in ms: how long an STK push waits for its callback before a query. */
  stkTimeoutMs: number;
  /** MPESA_STK_MAX_QUERIES: queries without a final answer before the deposit is flagged for staff. */
  stkMaxQueries: number;
};
