import { DarajaCollections, type StkPushOutcome, type StkPushRequest, type StkQueryOutcome, type ReversalOutcome, type ReversalRequest } from "@agrinet/rails";

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

export type MpesaCollectionsEnv = {
  MPESA_BASE_URL?: string | undefined;
  MPESA_CONSUMER_KEY?: string | undefined;
  MPESA_CONSUMER_SECRET?: string | undefined;
  MPESA_SHORTCODE?: string | undefined;
  MPESA_INITIATOR_NAME?: string | undefined;
  MPESA_SECURITY_CREDENTIAL?: string | undefined;
  MPESA_CALLBACK_BASE_URL?: string | undefined;
  MPESA_CALLBACK_TOKEN?: string | undefined;
  MPESA_STK_SHORTCODE?: string | undefined;
  MPESA_STK_PASSKEY?: string | undefined;
  MPESA_C2B_SHORTCODE?: string | undefined;
  MPESA_C2B_CALLBACK_BASE_URL?: string | undefined;
  MPESA_STK_TIMEOUT_SECONDS: number;
  MPESA_STK_MAX_QUERIES: number;
};

/**
 * C2B callback URLs may not contain "mpesa": by default they sit beside the M-Pesa callbacks,
 * under …/payments/paybill instead of …/payments/mpesa.
 */
export function defaultC2bCallbackBaseUrl(callbackBaseUrl: string): string {
  return callbackBaseUrl.replace(/\/+$/, "").replace(/\/mpesa$/i, "/paybill");
}

/**
 * Collections are on when M-Pesa is configured (the MPESA_* variables B2C uses) and an STK
 * passkey is set; null otherwise (deposits with a phoneNumber are then refused by name).
 */
export function createMpesaCollectionsFromEnv(env: MpesaCollectionsEnv): MpesaCollectionsSettings | null {
  if (
    !env.MPESA_STK_PASSKEY ||
    !env.MPESA_BASE_URL ||
    !env.MPESA_CONSUMER_KEY ||
    !env.MPESA_CONSUMER_SECRET ||
    !env.MPESA_CALLBACK_BASE_URL ||
    !env.MPESA_CALLBACK_TOKEN
  ) {
    return null;
  }
  const stkShortcode = env.MPESA_STK_SHORTCODE ?? env.MPESA_SHORTCODE;
  const c2bShortcode = env.MPESA_C2B_SHORTCODE ?? env.MPESA_SHORTCODE;
  if (!stkShortcode || !c2bShortcode) {
    throw new Error("M-Pesa collections need MPESA_STK_SHORTCODE and MPESA_C2B_SHORTCODE (or MPESA_SHORTCODE for both)");
  }
  return {
    client: new DarajaCollections({
      baseUrl: env.MPESA_BASE_URL,
      consumerKey: env.MPESA_CONSUMER_KEY,
      consumerSecret: env.MPESA_CONSUMER_SECRET,
      stkShortcode,
      stkPasskey: env.MPESA_STK_PASSKEY,
      c2bShortcode,
      initiatorName: env.MPESA_INITIATOR_NAME,
      securityCredential: env.MPESA_SECURITY_CREDENTIAL,
      callbackBaseUrl: env.MPESA_CALLBACK_BASE_URL,
      c2bCallbackBaseUrl: env.MPESA_C2B_CALLBACK_BASE_URL ?? defaultC2bCallbackBaseUrl(env.MPESA_CALLBACK_BASE_URL),
      callbackToken: env.MPESA_CALLBACK_TOKEN,
    }),
    stkTimeoutMs: env.MPESA_STK_TIMEOUT_SECONDS * 1000,
    stkMaxQueries: env.MPESA_STK_MAX_QUERIES,
  };
}
