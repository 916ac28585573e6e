import { createKeepAliveTransport, fetchTransport, type HttpTransport } from "../http-transport";
import type { PayoutOutcome, PayoutRail, PayoutRequest, PayoutStatus } from "../payout-rail";
import { darajaCallbackPaths, toWholeUnits } from "./daraja-callbacks";

export type DarajaB2cOptions = {
  /** MPESA_BASE_URL: https://sandbox.safaricom.co.ke, https://api.safaricom.co.ke or the local sandbox. */
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  /** MPESA_SHORTCODE: the B2C paybill that pays out (PartyA). */
  shortcode: string;
  initiatorName: string;
  /** The initiator password encrypted with Safaricom's certificate, as Daraja expects it. */
  securityCredential: string;
  /** Where Daraja POSTs results; darajaCallbackPaths are appended. */
  callbackBaseUrl: string;
  callbackToken: string;
  commandId?: "BusinessPayment" | "SalaryPayment" | "PromotionPayment";
  requestTimeoutMs?: number;
  /** Instead of node:http over keep-alive connections (tests that intercept requests). */
  fetch?: typeof fetch;
  now?: () => number;
};

type DarajaResponse = { status: number; body: Record<string, unknown> };

/** Refresh this long before Daraja's stated expiry so a token never dies in flight. */
const tokenRefreshMarginMs = 60_000;

class DarajaTransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * M-Pesa B2C through Safaricom's Daraja API. The payout id is the OriginatorConversationID, so
 * Daraja (and the sandbox) can tell a retry from a new payment. A 200 only means "accepted":
 * the outcome arrives on the ResultURL, parsed by `parseDarajaB2cResult`.
 */
export class DarajaB2cRail implements PayoutRail {
  readonly name = "mpesa" as const;
  private readonly options: DarajaB2cOptions;
  private readonly transport: HttpTransport;
  private readonly now: () => number;
  private token: { value: string; expiresAt: number } | undefined;
  private tokenRequest: Promise<string> | undefined;

  constructor(options: DarajaB2cOptions) {
    this.options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, ""), callbackBaseUrl: options.callbackBaseUrl.replace(/\/+$/, "") };
    this.transport = options.fetch ? fetchTransport(options.fetch) : createKeepAliveTransport();
    this.now = options.now ?? Date.now;
  }

  callbackUrl(path: string, extra: Record<string, string> = {}): string {
    const query = new URLSearchParams({ token: this.options.callbackToken, ...extra });
    return `${this.options.callbackBaseUrl}${path}?${query.toString()}`;
  }

  async send(payout: PayoutRequest): Promise<PayoutOutcome> {
    if (payout.destination.type !== "mpesa") {
      return { kind: "failed-final", code: "INVALID_DESTINATION", message: "the M-Pesa rail pays only mpesa destinations" };
    }
    const partyB = payout.destination.account.replace(/^\+/, "");
    if (!/^\d{9,15}$/.test(partyB)) {
      return { kind: "failed-final", code: "INVALID_DESTINATION", message: `destination.account ${payout.destination.account} is not a phone number in E.164` };
    }
    const amount = toWholeUnits(payout.amount, payout.currency);
    if (amount === undefined || amount <= 0n || amount > BigInt(Number.MAX_SAFE_INTEGER)) {
      return { kind: "failed-final", code: "INVALID_AMOUNT", message: `M-Pesa pays whole ${payout.currency} amounts only` };
    }
    const request = {
      OriginatorConversationID: payout.payoutId,
      InitiatorName: this.options.initiatorName,
      SecurityCredential: this.options.securityCredential,
      CommandID: this.options.commandId ?? "BusinessPayment",
      Amount: Number(amount),
      PartyA: this.options.shortcode,
      PartyB: partyB,
      Remarks: (payout.remarks ?? "Agrinet payout").slice(0, 100),
      QueueTimeOutURL: this.callbackUrl(darajaCallbackPaths.b2cQueueTimeout),
      ResultURL: this.callbackUrl(darajaCallbackPaths.b2cResult),
      Occassion: payout.payoutId.slice(0, 100),
    };
    return this.submit("/mpesa/b2c/v3/paymentrequest", request);
  }

  /**
   * Sends a transaction-status query for the payout. Daraja answers it asynchronously: this
   * returns `pending-callback` once the query is accepted, and the answer reaches the status
   * ResultURL (parse it with `parseDarajaStatusResult`).
   */
  async queryStatus(payoutId: string): Promise<PayoutStatus> {
    const request = {
      Initiator: this.options.initiatorName,
      SecurityCredential: this.options.securityCredential,
      CommandID: "TransactionStatusQuery",
      OriginalConversationID: payoutId,
      PartyA: this.options.shortcode,
      IdentifierType: "4",
      ResultURL: this.callbackUrl(darajaCallbackPaths.statusResult, { payoutId }),
      QueueTimeOutURL: this.callbackUrl(darajaCallbackPaths.statusQueueTimeout, { payoutId }),
      Remarks: "Payout status check",
      Occasion: payoutId.slice(0, 100),
    };
    return this.submit("/mpesa/transactionstatus/v1/query", request);
  }

  private async submit(path: string, body: Record<string, unknown>): Promise<PayoutOutcome> {
    let response: DarajaResponse;
    try {
      response = await this.authorizedPost(path, body);
    } catch (error) {
      if (error instanceof DarajaTransportError) {
        return error.retryable
          ? { kind: "retryable", code: error.code, message: error.message }
          : { kind: "failed-final", code: error.code, message: error.message };
      }
      throw error;
    }
    const { status, body: answer } = response;
    if (status >= 200 && status < 300 && String(answer.ResponseCode) === "0") {
      const conversationId = typeof answer.ConversationID === "string" ? answer.ConversationID : undefined;
      return { kind: "pending-callback", ...(conversationId ? { providerReference: conversationId } : {}) };
    }
    const code = String(answer.errorCode ?? answer.ResponseCode ?? `HTTP_${status}`);
    const message = String(answer.errorMessage ?? answer.ResponseDescription ?? `Daraja answered HTTP ${status}`);
    if (status >= 500 || status === 429 || status === 401) return { kind: "retryable", code: `MPESA_${code}`, message };
    return { kind: "failed-final", code: `MPESA_${code}`, message };
  }

  private async authorizedPost(path: string, body: Record<string, unknown>): Promise<DarajaResponse> {
    const first = await this.post(path, body, await this.accessToken());
    if (first.status !== 401) return first;
    // Daraja can revoke a token before its stated expiry: fetch a new one once.
    this.token = undefined;
    return this.post(path, body, await this.accessToken());
  }

  /** One OAuth call per token lifetime, shared by every concurrent request. */
  accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.expiresAt) return Promise.resolve(this.token.value);
    this.tokenRequest ??= this.fetchToken().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const credentials = Buffer.from(`${this.options.consumerKey}:${this.options.consumerSecret}`).toString("base64");
    const response = await this.request(`${this.options.baseUrl}/oauth/v1/generate?grant_type=client_credentials`, {
      method: "GET",
      headers: { authorization: `Basic ${credentials}` },
    });
    const token = response.body.access_token;
    const expiresIn = Number(response.body.expires_in);
    if (response.status !== 200 || typeof token !== "string" || !Number.isFinite(expiresIn)) {
      // Bad credentials are our configuration, not the payout's fault: keep payouts retryable.
      throw new DarajaTransportError(
        "MPESA_AUTH_FAILED",
        `Daraja OAuth failed (HTTP ${response.status}): ${String(response.body.errorMessage ?? "no token in response")}`,
        true,
      );
    }
    const lifetimeMs = expiresIn * 1000;
    this.token = { value: token, expiresAt: this.now() + Math.max(lifetimeMs - tokenRefreshMarginMs, lifetimeMs / 2) };
    return token;
  }

  private post(path: string, body: Record<string, unknown>, token: string) {
    return this.request(`${this.options.baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  private async request(url: string, init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string }): Promise<DarajaResponse> {
    let status: number;
    let text: string;
    try {
      ({ status, text } = await this.transport(url, { ...init, timeoutMs: this.options.requestTimeoutMs ?? 30_000 }));
    } catch (error) {
      throw new DarajaTransportError("MPESA_NETWORK_ERROR", `Daraja unreachable: ${String(error)}`, true);
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = text ? JSON.parse(text) : {};
      if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
    } catch {
      // A proxy's HTML error page: the status code says enough.
    }
    return { status, body };
  }
}
