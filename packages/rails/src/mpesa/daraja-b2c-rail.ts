import type { PayoutOutcome, PayoutRail, PayoutRequest, PayoutStatus } from "../payout-rail";
import { darajaCallbackPaths, toWholeUnits } from "./daraja-callbacks";
import { DarajaClient, DarajaTransportError, darajaRefusal, type DarajaResponse } from "./daraja-client";

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

/**
 * M-Pesa B2C through Safaricom's Daraja API. The request's provider key (the payout id, or
 * `<id>-a<n>` for a payout sent again after a final failure) is the OriginatorConversationID, so
 * Daraja (and the sandbox) can tell a re-send of one request from a new payment. A 200 only means "accepted":
 * the outcome arrives on the ResultURL, parsed by `parseDarajaB2cResult`.
 */
export class DarajaB2cRail implements PayoutRail {
  readonly name = "mpesa" as const;
  private readonly options: DarajaB2cOptions;
  private readonly daraja: DarajaClient;

  constructor(options: DarajaB2cOptions) {
    this.options = { ...options, callbackBaseUrl: options.callbackBaseUrl.replace(/\/+$/, "") };
    this.daraja = new DarajaClient(options);
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
      OriginatorConversationID: payout.providerKey,
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
   * Sends a transaction-status query for the request with this provider key. Daraja answers it
   * asynchronously: this returns `pending-callback` once the query is accepted, and the answer
   * reaches the status ResultURL, which names the key (parse it with `parseDarajaStatusResult`).
   */
  async queryStatus(providerKey: string): Promise<PayoutStatus> {
    const request = {
      Initiator: this.options.initiatorName,
      SecurityCredential: this.options.securityCredential,
      CommandID: "TransactionStatusQuery",
      OriginalConversationID: providerKey,
      PartyA: this.options.shortcode,
      IdentifierType: "4",
      ResultURL: this.callbackUrl(darajaCallbackPaths.statusResult, { key: providerKey }),
      QueueTimeOutURL: this.callbackUrl(darajaCallbackPaths.statusQueueTimeout, { key: providerKey }),
      Remarks: "Payout status check",
      Occasion: providerKey.slice(0, 100),
    };
    return this.submit("/mpesa/transactionstatus/v1/query", request);
  }

  private async submit(path: string, body: Record<string, unknown>): Promise<PayoutOutcome> {
    let response: DarajaResponse;
    try {
      response = await this.daraja.authorizedPost(path, body);
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
    const refusal = darajaRefusal(response);
    if (status >= 500 || status === 429 || status === 401) return { kind: "retryable", ...refusal };
    return { kind: "failed-final", ...refusal };
  }
}
