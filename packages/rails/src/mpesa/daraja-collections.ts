import { currencyExponent, isSupportedCurrency, validationError } from "@agrinet/core";
import { toWholeUnits } from "./daraja-callbacks";
import { DarajaClient, darajaRefusal, darajaUnreachable, type DarajaResponse } from "./daraja-client";

/**
 * Paths of the collections callbacks. STK and reversal results go under MPESA_CALLBACK_BASE_URL
 * (…/payments/mpesa) like the B2C ones; C2B's go under MPESA_C2B_CALLBACK_BASE_URL, because
 * Daraja refuses to register a URL containing "mpesa" (among other words).
 */
export const darajaCollectionPaths = {
  stkCallback: "/stk/callback",
  reversalResult: "/reversal/result",
  reversalTimeout: "/reversal/timeout",
  c2bValidation: "/validate",
  c2bConfirmation: "/confirm",
} as const;

/** Query values URLSearchParams writes unchanged. */
const plainQueryValue = /^[A-Za-z0-9_.-]*$/;

/** Words Daraja refuses anywhere in a C2B URL. */
export const darajaRefusedUrlWords = /mpesa|safaricom|exec|cmd|sql|query/i;

export type DarajaCollectionsOptions = {
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  /** The Lipa na M-Pesa Online shortcode (BusinessShortCode). */
  stkShortcode: string;
  /** Lipa na M-Pesa Online passkey: Password = base64(shortcode + passkey + timestamp). */
  stkPasskey: string;
  /** The paybill customers pay into (C2B) and the reversal's PartyA. */
  c2bShortcode: string;
  /** Reversals need an initiator, as B2C does. */
  initiatorName?: string | undefined;
  securityCredential?: string | undefined;
  callbackBaseUrl: string;
  c2bCallbackBaseUrl: string;
  callbackToken: string;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
};

export type StkPushRequest = {
  depositId: string;
  amount: bigint;
  currency: string;
  /** E.164 (+2547…). */
  phoneNumber: string;
  /** ≤ 12 characters, shown to the payer. */
  accountReference: string;
  description: string;
};

export type StkPushOutcome =
  | { kind: "accepted"; checkoutRequestId: string; merchantRequestId: string }
  /** Daraja answered and refused: no prompt went out. */
  | { kind: "refused"; code: string; message: string }
  /** No answer (network, 5xx): a prompt may or may not have gone out. */
  | { kind: "unreachable"; code: string; message: string };

export type StkQueryOutcome =
  | { kind: "final"; resultCode: string; resultDesc: string }
  /** The customer has not answered yet (500.001.1001): ask again later. */
  | { kind: "processing"; message: string }
  | { kind: "error"; code: string; message: string };

export type ReversalRequest = { paymentId: string; receipt: string; amount: bigint; currency: string; remarks: string };
export type ReversalOutcome =
  | { kind: "accepted"; originatorConversationId: string; conversationId: string }
  | { kind: "refused"; code: string; message: string };

/**
 * Collections through Daraja: STK Push and its query, C2B URL registration, and Transaction
 * Reversal (returning money nobody asked for). Like the B2C rail, an accepted request means
 * only "accepted"; outcomes arrive on callbacks, which the callers treat as advisory.
 */
export class DarajaCollections {
  private readonly options: DarajaCollectionsOptions;
  private readonly daraja: DarajaClient;
  private readonly now: () => number;
  private stkCallbackPrefix: string | undefined;
  private stkAuthOfSecond: { second: number; auth: { BusinessShortCode: string; Password: string; Timestamp: string } } | undefined;

  constructor(options: DarajaCollectionsOptions) {
    const trim = (url: string) => url.replace(/\/+$/, "");
    this.options = {
      ...options,
      baseUrl: trim(options.baseUrl),
      callbackBaseUrl: trim(options.callbackBaseUrl),
      c2bCallbackBaseUrl: trim(options.c2bCallbackBaseUrl),
    };
    this.daraja = new DarajaClient(options);
    this.now = options.now ?? Date.now;
  }

  get c2bShortcode() {
    return this.options.c2bShortcode;
  }

  stkCallbackUrl(depositId: string): string {
    // Every STK Push names its deposit in the same URL: the fixed part is encoded once. Deposit
    // ids encode to themselves; anything else goes through URLSearchParams as before.
    if (!plainQueryValue.test(depositId)) return this.url(this.options.callbackBaseUrl, darajaCollectionPaths.stkCallback, { depositId });
    this.stkCallbackPrefix ??= `${this.url(this.options.callbackBaseUrl, darajaCollectionPaths.stkCallback)}&depositId=`;
    return this.stkCallbackPrefix + depositId;
  }

  async stkPush(request: StkPushRequest): Promise<StkPushOutcome> {
    const amount = toWholeUnits(request.amount, request.currency);
    if (amount === undefined || amount <= 0n) {
      return { kind: "refused", code: "INVALID_AMOUNT", message: `M-Pesa collects whole ${request.currency} amounts only` };
    }
    const phone = request.phoneNumber.replace(/^\+/, "");
    const body = {
      ...this.stkAuth(),
      TransactionType: "CustomerPayBillOnline",
      Amount: Number(amount),
      PartyA: phone,
      PartyB: this.options.stkShortcode,
      PhoneNumber: phone,
      CallBackURL: this.stkCallbackUrl(request.depositId),
      AccountReference: request.accountReference.slice(0, 12),
      TransactionDesc: request.description.replace(/[^A-Za-z0-9 ]/g, " ").slice(0, 13) || "Deposit",
    };
    let response: DarajaResponse;
    try {
      response = await this.daraja.authorizedPost("/mpesa/stkpush/v1/processrequest", body);
    } catch (error) {
      return { kind: "unreachable", ...darajaUnreachable(error) };
    }
    const { status, body: answer } = response;
    if (status === 200 && String(answer.ResponseCode) === "0" && typeof answer.CheckoutRequestID === "string") {
      return {
        kind: "accepted",
        checkoutRequestId: answer.CheckoutRequestID,
        merchantRequestId: String(answer.MerchantRequestID ?? ""),
      };
    }
    const refusal = darajaRefusal(response);
    if (status >= 500 || status === 429) return { kind: "unreachable", ...refusal };
    return { kind: "refused", ...refusal };
  }

  async stkQuery(checkoutRequestId: string): Promise<StkQueryOutcome> {
    let response: DarajaResponse;
    try {
      response = await this.daraja.authorizedPost("/mpesa/stkpushquery/v1/query", { ...this.stkAuth(), CheckoutRequestID: checkoutRequestId });
    } catch (error) {
      return { kind: "error", ...darajaUnreachable(error) };
    }
    const { status, body } = response;
    if (status === 200 && body.ResultCode !== undefined && body.ResultCode !== null && body.ResultCode !== "") {
      return { kind: "final", resultCode: String(body.ResultCode), resultDesc: String(body.ResultDesc ?? "") };
    }
    const refusal = darajaRefusal(response);
    if (refusal.code === "MPESA_500.001.1001") return { kind: "processing", message: refusal.message };
    return { kind: "error", ...refusal };
  }

  c2bUrls() {
    return {
      validation: this.url(this.options.c2bCallbackBaseUrl, darajaCollectionPaths.c2bValidation),
      confirmation: this.url(this.options.c2bCallbackBaseUrl, darajaCollectionPaths.c2bConfirmation),
    };
  }

  /** Registers the C2B validation and confirmation URLs for the paybill (on start; repeatable). */
  async registerC2bUrls(): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    const urls = this.c2bUrls();
    for (const url of [urls.validation, urls.confirmation]) {
      if (darajaRefusedUrlWords.test(url)) {
        return { ok: false, code: "INVALID_URL", message: `Daraja refuses C2B URLs containing mpesa, safaricom, exec, cmd, sql or query: ${url.replace(/token=[^&]*/, "token=…")}` };
      }
    }
    try {
      const response = await this.daraja.authorizedPost("/mpesa/c2b/v1/registerurl", {
        ShortCode: this.options.c2bShortcode,
        // Validation unreachable: Safaricom refuses the payment rather than taking money we cannot match.
        ResponseType: "Cancelled",
        ConfirmationURL: urls.confirmation,
        ValidationURL: urls.validation,
      });
      if (response.status === 200 && String(response.body.ResponseCode) === "0") return { ok: true };
      return { ok: false, ...darajaRefusal(response) };
    } catch (error) {
      return { ok: false, ...darajaUnreachable(error) };
    }
  }

  async reverse(request: ReversalRequest): Promise<ReversalOutcome> {
    if (!this.options.initiatorName || !this.options.securityCredential) {
      return { kind: "refused", code: "MPESA_NOT_CONFIGURED", message: "reversals need MPESA_INITIATOR_NAME and MPESA_SECURITY_CREDENTIAL" };
    }
    const amount = toWholeUnits(request.amount, request.currency);
    if (amount === undefined || amount <= 0n) {
      return { kind: "refused", code: "INVALID_AMOUNT", message: `M-Pesa reverses whole ${request.currency} amounts only` };
    }
    try {
      const response = await this.daraja.authorizedPost("/mpesa/reversal/v1/request", {
        Initiator: this.options.initiatorName,
        SecurityCredential: this.options.securityCredential,
        CommandID: "TransactionReversal",
        TransactionID: request.receipt,
        Amount: Number(amount),
        ReceiverParty: this.options.c2bShortcode,
        RecieverIdentifierType: "11",
        ResultURL: this.url(this.options.callbackBaseUrl, darajaCollectionPaths.reversalResult, { paymentId: request.paymentId }),
        QueueTimeOutURL: this.url(this.options.callbackBaseUrl, darajaCollectionPaths.reversalTimeout, { paymentId: request.paymentId }),
        Remarks: request.remarks.replace(/[^A-Za-z0-9 ]/g, " ").slice(0, 100) || "Return",
        Occasion: request.paymentId.slice(0, 100),
      });
      const { body } = response;
      if (response.status === 200 && String(body.ResponseCode) === "0") {
        return {
          kind: "accepted",
          originatorConversationId: String(body.OriginatorConversationID ?? ""),
          conversationId: String(body.ConversationID ?? ""),
        };
      }
      return { kind: "refused", ...darajaRefusal(response) };
    } catch (error) {
      return { kind: "refused", ...darajaUnreachable(error) };
    }
  }

  private url(base: string, path: string, extra: Record<string, string> = {}) {
    return `${base}${path}?${new URLSearchParams({ token: this.options.callbackToken, ...extra }).toString()}`;
  }

  /** The STK password changes with its timestamp, once a second: computed once per second. */
  private stkAuth() {
    const second = Math.floor(this.now() / 1000);
    if (this.stkAuthOfSecond?.second !== second) {
      const timestamp = darajaTimestamp(second * 1000);
      this.stkAuthOfSecond = {
        second,
        auth: {
          BusinessShortCode: this.options.stkShortcode,
          Password: Buffer.from(`${this.options.stkShortcode}${this.options.stkPasskey}${timestamp}`).toString("base64"),
          Timestamp: timestamp,
        },
      };
    }
    return this.stkAuthOfSecond.auth;
  }
}

/** `YYYYMMDDHHmmss` in East Africa Time (UTC+3, no daylight saving), as Daraja expects. */
export function darajaTimestamp(epochMs: number): string {
  return new Date(epochMs + 3 * 3_600_000).toISOString().replace(/\D/g, "").slice(0, 14);
}

/** STK result codes and what they mean for the payer, in plain words. */
const stkReasons: Record<string, { state: "cancelled" | "no_answer" | "failed"; reason: string }> = {
  "1032": { state: "cancelled", reason: "The payer cancelled the M-Pesa prompt." },
  "1037": { state: "no_answer", reason: "The payer's phone could not be reached." },
  "1019": { state: "no_answer", reason: "The M-Pesa prompt expired before the payer answered." },
  "2001": { state: "failed", reason: "The payer entered a wrong M-Pesa PIN." },
  "1": { state: "failed", reason: "The payer's M-Pesa balance is insufficient." },
  "1001": { state: "failed", reason: "The payer's M-Pesa was busy with another transaction." },
};

export function describeStkResult(resultCode: string, resultDesc: string) {
  return stkReasons[resultCode] ?? { state: "failed" as const, reason: resultDesc || `M-Pesa result code ${resultCode}` };
}

export type StkCallback = {
  merchantRequestId: string;
  checkoutRequestId: string;
  resultCode: string;
  resultDesc: string;
  /** Whole units, on success. */
  amount: number | undefined;
  receipt: string | undefined;
  phoneNumber: string | undefined;
};

/** Parses `{ Body: { stkCallback } }`; throws VALIDATION_FAILED when it is not one. */
export function parseStkCallback(body: unknown): StkCallback {
  const callback = (body as { Body?: { stkCallback?: unknown } } | null)?.Body?.stkCallback;
  if (!callback || typeof callback !== "object") {
    throw validationError([{ path: "Body.stkCallback", message: "is missing: not an STK callback" }]);
  }
  const record = callback as Record<string, unknown>;
  const checkoutRequestId = record.CheckoutRequestID;
  if (typeof checkoutRequestId !== "string" || !checkoutRequestId) {
    throw validationError([{ path: "Body.stkCallback.CheckoutRequestID", message: "is required" }]);
  }
  if (record.ResultCode === undefined || record.ResultCode === null) {
    throw validationError([{ path: "Body.stkCallback.ResultCode", message: "is required" }]);
  }
  const items = (record.CallbackMetadata as { Item?: unknown } | undefined)?.Item;
  const metadata = new Map<string, unknown>();
  if (Array.isArray(items)) {
    for (const item of items as Array<{ Name?: unknown; Value?: unknown }>) {
      if (typeof item?.Name === "string") metadata.set(item.Name, item.Value);
    }
  }
  const amount = metadata.get("Amount");
  const receipt = metadata.get("MpesaReceiptNumber");
  const phone = metadata.get("PhoneNumber");
  return {
    merchantRequestId: String(record.MerchantRequestID ?? ""),
    checkoutRequestId,
    resultCode: String(record.ResultCode),
    resultDesc: String(record.ResultDesc ?? ""),
    amount: amount === undefined || amount === null || amount === "" ? undefined : Number(amount),
    receipt: typeof receipt === "string" && receipt ? receipt : undefined,
    phoneNumber: phone === undefined || phone === null || phone === "" ? undefined : String(phone),
  };
}

export type C2bPayment = {
  transId: string;
  transAmount: string;
  billRefNumber: string;
  msisdn: string;
  shortCode: string;
  transTime: string;
  payerName: string;
};

/** Parses a C2B validation or confirmation body; throws VALIDATION_FAILED naming the field. */
export function parseC2bPayment(body: unknown): C2bPayment {
  const record = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const text = (field: string) => {
    const value = record[field];
    return typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  };
  const transId = text("TransID");
  if (!transId) throw validationError([{ path: "TransID", message: "is required" }]);
  const transAmount = text("TransAmount");
  if (!/^\d+(\.\d{1,2})?$/.test(transAmount)) throw validationError([{ path: "TransAmount", message: "must be an amount such as 250.00" }]);
  return {
    transId,
    transAmount,
    billRefNumber: text("BillRefNumber"),
    msisdn: text("MSISDN"),
    shortCode: text("BusinessShortCode"),
    transTime: text("TransTime"),
    payerName: [text("FirstName"), text("MiddleName"), text("LastName")].filter(Boolean).join(" "),
  };
}

/** An M-Pesa amount ("250.00" or 250) in the currency's minor units; undefined if not exact. */
export function mpesaAmountToMinor(amount: string | number, currency: string): bigint | undefined {
  if (!isSupportedCurrency(currency)) return undefined;
  const text = typeof amount === "number" ? String(amount) : amount;
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return undefined;
  const exponent = currencyExponent(currency);
  const fraction = match[2] ?? "";
  // Cents on a currency without minor units must be zero; anything else is not an exact amount.
  if (/[1-9]/.test(fraction.slice(exponent))) return undefined;
  const kept = fraction.slice(0, exponent).padEnd(exponent, "0");
  return BigInt(match[1]!) * 10n ** BigInt(exponent) + BigInt(kept || "0");
}

export type ReversalResult = { resultCode: string; resultDesc: string; transactionId: string; conversationId: string };

export function parseReversalResult(body: unknown): ReversalResult {
  const result = (body as { Result?: Record<string, unknown> } | null)?.Result;
  if (!result || typeof result !== "object" || result.ResultCode === undefined) {
    throw validationError([{ path: "Result", message: "is missing: not a Daraja result body" }]);
  }
  return {
    resultCode: String(result.ResultCode),
    resultDesc: String(result.ResultDesc ?? ""),
    transactionId: String(result.TransactionID ?? ""),
    conversationId: String(result.ConversationID ?? ""),
  };
}
