import { randomUUID } from "node:crypto";
import { stkOutcomeForNumber, stkResultCodes, type StkOutcome } from "./collections-outcomes";
import type { StatementEntry } from "./organisation-statement";
import { compactTimestamp, newConversationId, pooledRandomBytes, randomInt, randomReceipt } from "./sandbox-ids";

/**
 * The collections half of the sandbox (STK Push and Query, C2B register/simulate, Transaction
 * Reversal) as plain handlers: each takes the parsed JSON body and answers a JSON text or
 * throws a `SandboxHttpError`. The server module owns the transport (sockets, the callback
 * client) and hands in `deliver` and `authenticate`, so these move with no change whatever
 * carries them.
 */
export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

export type CollectionsDeps = {
  /** POSTs a JSON text to a URL after `delayMs`; `onDue` runs when it is sent. */
  deliver(url: string, json: string, delayMs: number, onDue?: () => void): void;
  /** How long the "slow" number's STK callback waits. */
  slowCallbackDelayMs: number;
  /** How long the customer takes to answer the PIN prompt (STK Query says "processing" until then). */
  stkPinDelayMs: number;
  /** When set, STK passwords must be base64(shortcode + passkey + timestamp) with this passkey. */
  stkPasskey?: string | undefined;
  /** Fault injection for reliability tests: each STK callback is sent this many times (default 1)… */
  stkCallbackCopies?: number | undefined;
  /** …or, with this probability (0-1, default 0), not at all: only STK Query tells. */
  stkCallbackDropRate?: number | undefined;
  log(line: string): void;
};

/** One STK Push the sandbox received, and what the customer did. */
export type SandboxStkPayment = {
  checkoutRequestId: string;
  merchantRequestId: string;
  phoneNumber: string;
  requestedAmount: number;
  /** What the customer paid (differs from the request for +254700000018); 0 when not paid. */
  paidAmount: number;
  accountReference: string;
  outcome: StkOutcome;
  resultCode: number;
  receipt: string | null;
  reversed: boolean;
  requestedAt: string;
};

/** One C2B paybill payment a customer made (a simulate call that validation accepted). */
export type SandboxC2bPayment = {
  transId: string;
  shortCode: string;
  msisdn: string;
  billRefNumber: string;
  amount: number;
  /** "accepted" (confirmation sent), or "rejected" with the validation's ResultCode. */
  state: "accepted" | "rejected";
  validationResultCode: string | null;
  reversed: boolean;
  paidAt: string;
};

export type SandboxReversal = {
  originatorConversationId: string;
  transactionId: string;
  amount: number;
  resultCode: number | string;
  at: string;
};

type StkTransaction = {
  payment: SandboxStkPayment;
  /** When the customer's answer is known: STK Query says "being processed" before this. */
  decidedAt: number;
  resultDesc: string;
};

type C2bRegistration = { shortCode: string; responseType: string; confirmationUrl: string; validationUrl: string };

const stkTransactionTypes = new Set(["CustomerPayBillOnline", "CustomerBuyGoodsOnline"]);
const c2bCommands = new Set(["CustomerPayBillOnline", "CustomerBuyGoodsOnline"]);
/** Words Daraja refuses anywhere in a registered URL (see the collections spec, pitfall 4). */
const refusedUrlWords = /mpesa|safaricom|exec|cmd|sql|query/i;
/** C2B test numbers: a confirmation without a validation first, and a confirmation sent twice. */
const c2bConfirmWithoutValidation = "700000019";
const c2bDuplicateConfirmation = "700000020";

export function createCollectionsHandlers(deps: CollectionsDeps) {
  const stk = new Map<string, StkTransaction>();
  const stkPayments: SandboxStkPayment[] = [];
  const c2bRegistrations = new Map<string, C2bRegistration>();
  const c2bPayments: SandboxC2bPayment[] = [];
  const reversals: SandboxReversal[] = [];
  const reversedTransactions = new Set<string>();
  /**
   * Money the collections moved, in the order it moved, as the organisation statement lists it:
   * paid in, reversed out. A paid STK Push is kept as its transaction and made an entry only
   * when a statement is asked for, rather than a second copy of each payment.
   */
  const statement: Array<StatementEntry | StkTransaction> = [];
  const stats = { stkPushes: 0, stkQueries: 0, c2bRegistrations: 0, c2bSimulations: 0, reversals: 0 };

  function checkPassword(body: Record<string, unknown>): string {
    const shortCode = requiredString(body, "BusinessShortCode");
    const timestamp = requiredString(body, "Timestamp");
    if (!/^\d{14}$/.test(timestamp)) throw invalid("Timestamp");
    const password = Buffer.from(requiredString(body, "Password"), "base64").toString("utf8");
    const valid = deps.stkPasskey
      ? password === `${shortCode}${deps.stkPasskey}${timestamp}`
      : password.startsWith(shortCode) && password.endsWith(timestamp) && password.length > shortCode.length + 14;
    if (!valid) throw new SandboxHttpError(400, "400.002.02", "Bad Request - Invalid Password");
    return shortCode;
  }

  function stkPush(body: Record<string, unknown>): string {
    stats.stkPushes += 1;
    checkPassword(body);
    const transactionType = requiredString(body, "TransactionType");
    if (!stkTransactionTypes.has(transactionType)) throw invalid("TransactionType");
    const amount = Number(body.Amount);
    if (!Number.isSafeInteger(amount) || amount <= 0) throw invalid("Amount");
    const phoneNumber = requiredString(body, "PhoneNumber");
    if (!/^\d{12}$/.test(phoneNumber)) throw invalid("PhoneNumber");
    const partyA = requiredString(body, "PartyA");
    if (!/^\d{12}$/.test(partyA)) throw invalid("PartyA");
    requiredString(body, "PartyB");
    const callbackUrl = requiredUrl(body, "CallBackURL");
    const accountReference = requiredString(body, "AccountReference");
    if (accountReference.length > 12) throw invalid("AccountReference");

    const outcome = stkOutcomeForNumber(phoneNumber);
    const now = new Date();
    const merchantRequestId = `${randomInt(10_000, 99_999)}-${randomInt(10_000_000, 99_999_999)}-1`;
    const checkoutRequestId = `ws_CO_${compactTimestamp(now)}${pooledRandomBytes(6).toString("hex")}`;
    const code = stkResultCodes[outcome];
    const paid = code.code === 0;
    const paidAmount = !paid ? 0 : outcome === "different-amount" ? (amount > 1 ? amount - 1 : amount + 1) : amount;
    const receipt = paid ? randomReceipt() : null;
    const payment: SandboxStkPayment = {
      checkoutRequestId,
      merchantRequestId,
      phoneNumber,
      requestedAmount: amount,
      paidAmount,
      accountReference,
      outcome,
      resultCode: code.code,
      receipt,
      reversed: false,
      requestedAt: now.toISOString(),
    };
    const callback = {
      Body: {
        stkCallback: {
          MerchantRequestID: merchantRequestId,
          CheckoutRequestID: checkoutRequestId,
          ResultCode: code.code,
          ResultDesc: code.description,
          ...(paid
            ? {
                CallbackMetadata: {
                  Item: [
                    { Name: "Amount", Value: paidAmount },
                    { Name: "MpesaReceiptNumber", Value: receipt },
                    { Name: "Balance" },
                    { Name: "TransactionDate", Value: Number(compactTimestamp(now)) },
                    { Name: "PhoneNumber", Value: Number(phoneNumber) },
                  ],
                },
              }
            : {}),
        },
      },
    };
    const transaction: StkTransaction = { payment, decidedAt: now.getTime() + deps.stkPinDelayMs, resultDesc: code.description };
    stk.set(checkoutRequestId, transaction);
    stkPayments.push(payment);
    if (paid) statement.push(transaction);

    const dropped = Math.random() < (deps.stkCallbackDropRate ?? 0);
    if (outcome !== "no-callback" && !dropped) {
      const delay = deps.stkPinDelayMs + (outcome === "slow" ? deps.slowCallbackDelayMs : 0);
      const copies = (deps.stkCallbackCopies ?? 1) + (outcome === "duplicate-callback" ? 1 : 0);
      const callbackJson = JSON.stringify(callback);
      for (let copy = 0; copy < copies; copy++) deps.deliver(callbackUrl, callbackJson, delay);
    }
    return JSON.stringify({
      MerchantRequestID: merchantRequestId,
      CheckoutRequestID: checkoutRequestId,
      ResponseCode: "0",
      ResponseDescription: "Success. Request accepted for processing",
      CustomerMessage: "Success. Request accepted for processing",
    });
  }

  function stkQuery(body: Record<string, unknown>): string {
    stats.stkQueries += 1;
    checkPassword(body);
    const checkoutRequestId = requiredString(body, "CheckoutRequestID");
    const transaction = stk.get(checkoutRequestId);
    if (!transaction) throw new SandboxHttpError(400, "400.002.02", "Bad Request - Invalid CheckoutRequestID");
    if (Date.now() < transaction.decidedAt) {
      throw new SandboxHttpError(500, "500.001.1001", "The transaction is being processed");
    }
    return JSON.stringify({
      ResponseCode: "0",
      ResponseDescription: "The service request has been accepted successsfully",
      MerchantRequestID: transaction.payment.merchantRequestId,
      CheckoutRequestID: checkoutRequestId,
      ResultCode: String(transaction.payment.resultCode),
      ResultDesc: transaction.resultDesc,
    });
  }

  function registerUrl(body: Record<string, unknown>): string {
    stats.c2bRegistrations += 1;
    const shortCode = requiredString(body, "ShortCode");
    const responseType = requiredString(body, "ResponseType");
    if (responseType !== "Completed" && responseType !== "Cancelled") throw invalid("ResponseType");
    const confirmationUrl = requiredUrl(body, "ConfirmationURL");
    const validationUrl = requiredUrl(body, "ValidationURL");
    for (const [field, url] of [["ConfirmationURL", confirmationUrl], ["ValidationURL", validationUrl]] as const) {
      if (refusedUrlWords.test(url) || /\s/.test(url)) {
        throw new SandboxHttpError(400, "400.003.02", `Bad Request - Invalid ${field}: URLs may not contain M-Pesa, Safaricom, exec, cmd, sql or query`);
      }
    }
    c2bRegistrations.set(shortCode, { shortCode, responseType, confirmationUrl, validationUrl });
    return JSON.stringify({
      OriginatorCoversationID: randomUUID(),
      ResponseCode: "0",
      ResponseDescription: "Success",
    });
  }

  function simulate(body: Record<string, unknown>): string {
    stats.c2bSimulations += 1;
    const shortCode = requiredString(body, "ShortCode");
    const commandId = requiredString(body, "CommandID");
    if (!c2bCommands.has(commandId)) throw invalid("CommandID");
    const amount = Number(body.Amount);
    if (!Number.isSafeInteger(amount) || amount <= 0) throw invalid("Amount");
    const msisdn = requiredString(body, "Msisdn");
    if (!/^\d{12}$/.test(msisdn)) throw invalid("Msisdn");
    const billRefNumber = optionalString(body, "BillRefNumber") ?? "";
    const registration = c2bRegistrations.get(shortCode);
    if (!registration) {
      throw new SandboxHttpError(400, "400.002.02", `Bad Request - no URLs registered for ShortCode ${shortCode}`);
    }
    const transId = randomReceipt();
    const payload = JSON.stringify({
      TransactionType: "Pay Bill",
      TransID: transId,
      TransTime: compactTimestamp(new Date()),
      TransAmount: amount.toFixed(2),
      BusinessShortCode: shortCode,
      BillRefNumber: billRefNumber,
      InvoiceNumber: "",
      OrgAccountBalance: "",
      ThirdPartyTransID: "",
      MSISDN: msisdn,
      FirstName: "Sandbox",
      MiddleName: "",
      LastName: "Customer",
    });
    const subscriber = msisdn.slice(-9);
    void settleC2b({ registration, transId, payload, shortCode, msisdn, billRefNumber, amount, subscriber });
    return JSON.stringify({
      OriginatorCoversationID: randomUUID(),
      ResponseCode: "0",
      ResponseDescription: "Accept the service request successfully.",
    });
  }

  /** Validation first (its answer decides), then the confirmation: what Safaricom does after a customer pays. */
  async function settleC2b(input: {
    registration: C2bRegistration;
    transId: string;
    payload: string;
    shortCode: string;
    msisdn: string;
    billRefNumber: string;
    amount: number;
    subscriber: string;
  }) {
    let validationResultCode: string | null = null;
    if (input.subscriber !== c2bConfirmWithoutValidation) {
      try {
        const response = await fetch(input.registration.validationUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: input.payload,
          signal: AbortSignal.timeout(8_000),
        });
        const answer = (await response.json().catch(() => ({}))) as { ResultCode?: unknown };
        validationResultCode = response.ok ? String(answer.ResultCode ?? "") : `HTTP_${response.status}`;
      } catch (error) {
        deps.log(`C2B validation ${input.registration.validationUrl} unreachable: ${String(error)}`);
      }
      // Unreachable or unreadable validation: ResponseType says whether the payment goes ahead.
      const accepted =
        validationResultCode === "0" ||
        ((validationResultCode === null || validationResultCode.startsWith("HTTP_")) &&
          input.registration.responseType === "Completed");
      if (!accepted) {
        c2bPayments.push(c2bPayment(input, "rejected", validationResultCode));
        return;
      }
    }
    const accepted = c2bPayment(input, "accepted", validationResultCode);
    c2bPayments.push(accepted);
    statement.push({
      receipt: accepted.transId,
      completedAt: new Date(accepted.paidAt),
      initiatedAt: new Date(accepted.paidAt),
      details: `Pay Bill from ${accepted.msisdn} - Sandbox Customer Acc. ${accepted.billRefNumber}`,
      amount: accepted.amount,
      reasonType: "Pay Bill",
      otherPartyInfo: `${accepted.msisdn} - Sandbox Customer`,
    });
    deps.deliver(input.registration.confirmationUrl, input.payload, 0);
    if (input.subscriber === c2bDuplicateConfirmation) deps.deliver(input.registration.confirmationUrl, input.payload, 0);
  }

  function c2bPayment(
    input: { transId: string; shortCode: string; msisdn: string; billRefNumber: string; amount: number },
    state: SandboxC2bPayment["state"],
    validationResultCode: string | null,
  ): SandboxC2bPayment {
    return {
      transId: input.transId,
      shortCode: input.shortCode,
      msisdn: input.msisdn,
      billRefNumber: input.billRefNumber,
      amount: input.amount,
      state,
      validationResultCode,
      reversed: false,
      paidAt: new Date().toISOString(),
    };
  }

  function reversal(body: Record<string, unknown>): string {
    stats.reversals += 1;
    requiredString(body, "Initiator");
    requiredString(body, "SecurityCredential");
    if (body.CommandID !== "TransactionReversal") throw invalid("CommandID");
    const transactionId = requiredString(body, "TransactionID");
    const amount = Number(body.Amount);
    if (!Number.isSafeInteger(amount) || amount <= 0) throw invalid("Amount");
    requiredString(body, "ReceiverParty");
    const resultUrl = requiredUrl(body, "ResultURL");
    requiredUrl(body, "QueueTimeOutURL");
    const originatorConversationId = `${randomInt(10_000, 99_999)}-${randomInt(10_000_000, 99_999_999)}-1`;
    const conversationId = newConversationId();

    const stkPayment = stkPayments.find((p) => p.receipt === transactionId);
    const c2bPaid = c2bPayments.find((p) => p.transId === transactionId && p.state === "accepted");
    const paidAmount = stkPayment?.paidAmount ?? c2bPaid?.amount;
    let code: { code: number | string; description: string };
    if (paidAmount === undefined) code = { code: "R000002", description: "The TransactionID is invalid." };
    else if (reversedTransactions.has(transactionId)) code = { code: "R000001", description: "The transaction has already been reversed." };
    else if (amount !== paidAmount) code = { code: 2, description: "The amount is invalid: it must equal the original transaction's." };
    else {
      code = { code: 0, description: "The service request is processed successfully." };
      reversedTransactions.add(transactionId);
      if (stkPayment) stkPayment.reversed = true;
      if (c2bPaid) c2bPaid.reversed = true;
    }
    const at = new Date();
    reversals.push({ originatorConversationId, transactionId, amount, resultCode: code.code, at: at.toISOString() });
    const reversalTransactionId = randomReceipt();
    if (code.code === 0) {
      const payer = stkPayment?.phoneNumber ?? c2bPaid?.msisdn ?? "";
      statement.push({
        receipt: reversalTransactionId,
        completedAt: at,
        initiatedAt: at,
        details: `Reversal of ${transactionId} to ${payer} - Sandbox Customer`,
        amount: -amount,
        reasonType: "Reversal",
        otherPartyInfo: `${payer} - Sandbox Customer`,
        linkedTransactionId: transactionId,
      });
    }
    deps.deliver(
      resultUrl,
      JSON.stringify({
        Result: {
          ResultType: 0,
          ResultCode: code.code,
          ResultDesc: code.description,
          OriginatorConversationID: originatorConversationId,
          ConversationID: conversationId,
          TransactionID: reversalTransactionId,
          ...(code.code === 0
            ? {
                ResultParameters: {
                  ResultParameter: [
                    { Key: "DebitAccountBalance", Value: "Utility Account|KES|0.00|0.00|0.00|0.00" },
                    { Key: "Amount", Value: amount },
                    { Key: "TransCompletedTime", Value: Number(compactTimestamp(new Date())) },
                    { Key: "OriginalTransactionID", Value: transactionId },
                    { Key: "Charge", Value: 0 },
                    { Key: "CreditPartyPublicName", Value: `${body.ReceiverParty} - Sandbox Customer` },
                    { Key: "DebitPartyPublicName", Value: "600996 - Agrinet Pay" },
                  ],
                },
              }
            : {}),
          ReferenceData: { ReferenceItem: { Key: "QueueTimeoutURL", Value: "" } },
        },
      }),
      0,
    );
    return JSON.stringify({
      OriginatorConversationID: originatorConversationId,
      ConversationID: conversationId,
      ResponseCode: "0",
      ResponseDescription: "Accept the service request successfully.",
    });
  }

  return {
    /** POST routes by path; each needs a valid access token (checked by the server). */
    routes: {
      "/mpesa/stkpush/v1/processrequest": stkPush,
      "/mpesa/stkpushquery/v1/query": stkQuery,
      "/mpesa/c2b/v1/registerurl": registerUrl,
      "/mpesa/c2b/v2/registerurl": registerUrl,
      "/mpesa/c2b/v1/simulate": simulate,
      "/mpesa/reversal/v1/request": reversal,
    } as Record<string, (body: Record<string, unknown>) => string>,
    /** GET /__sandbox/* inspection, by path. */
    inspection: {
      "/__sandbox/stk-payments": () => JSON.stringify({ payments: stkPayments }),
      "/__sandbox/c2b-payments": () => JSON.stringify({ payments: c2bPayments }),
      "/__sandbox/reversals": () => JSON.stringify({ reversals }),
      "/__sandbox/c2b-registrations": () => JSON.stringify({ registrations: [...c2bRegistrations.values()] }),
    } as Record<string, () => string>,
    stkPayments: () => stkPayments.map((p) => ({ ...p })),
    c2bPayments: () => c2bPayments.map((p) => ({ ...p })),
    reversals: () => reversals.map((r) => ({ ...r })),
    statementEntries: (): StatementEntry[] => statement.map((entry) => ("payment" in entry ? stkStatementEntry(entry) : { ...entry })),
    stats: () => ({ ...stats }),
  };
}

export type CollectionsHandlers = ReturnType<typeof createCollectionsHandlers>;

/** A paid STK Push as the organisation statement lists it: paid in when the customer answered. */
function stkStatementEntry({ payment, decidedAt }: StkTransaction): StatementEntry {
  return {
    receipt: payment.receipt!,
    completedAt: new Date(decidedAt),
    initiatedAt: new Date(payment.requestedAt),
    details: `Pay Bill Online from ${payment.phoneNumber} - Sandbox Customer Acc. ${payment.accountReference}`,
    amount: payment.paidAmount,
    reasonType: "Pay Bill Online",
    otherPartyInfo: `${payment.phoneNumber} - Sandbox Customer`,
  };
}

/* The request-field checks of every sandbox endpoint (B2C's too). */

export function invalid(field: string) {
  return new SandboxHttpError(400, "400.002.02", `Bad Request - Invalid ${field}`);
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = optionalString(body, field);
  if (!value) throw invalid(field);
  return value;
}

/**
 * Whether a URL parses depends only on what comes before its query (a query never fails to
 * parse), and the callers send the same few bases with a request-specific query: each base is
 * parsed once.
 */
const validUrlBases = new Set<string>();
export function requiredUrl(body: Record<string, unknown>, field: string): string {
  const value = requiredString(body, field);
  const queryAt = value.search(/[?#]/);
  const base = queryAt === -1 ? value : value.slice(0, queryAt);
  if (!validUrlBases.has(base)) {
    if (!URL.canParse(value)) throw invalid(field);
    if (validUrlBases.size >= 1_000) validUrlBases.clear();
    validUrlBases.add(base);
  }
  return value;
}
