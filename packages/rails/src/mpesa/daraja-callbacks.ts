import { timingSafeEqual } from "node:crypto";
import { currencyExponent, isSupportedCurrency, validationError } from "@agrinet/core";
import { parseProviderKey, type PayoutOutcome, type PayoutStatus } from "../payout-rail";
import { classifyDarajaResult, classifyDarajaStatusResult } from "./daraja-result-codes";

/**
 * Paths under MPESA_CALLBACK_BASE_URL that the client puts in its requests; the API mounts a
 * handler on each. Each URL also carries `?token=MPESA_CALLBACK_TOKEN` (Daraja signs nothing,
 * so the secret in the URL is what tells our callbacks from anyone else's POST), and the status
 * ones carry `&key=` (the request's provider key) because a status result names the query, not
 * the payout. Status queries made before provider keys carry `&payoutId=`, the same value then.
 */
export const darajaCallbackPaths = {
  b2cResult: "/b2c/result",
  b2cQueueTimeout: "/b2c/timeout",
  statusResult: "/status/result",
  statusQueueTimeout: "/status/timeout",
} as const;

/**
 * Constant-time comparison of the token a callback URL carried with the configured one. The
 * bytes are compared directly rather than through digests of both: two callbacks per payout made
 * a SHA-256 per request a measurable share of the API's CPU. Only the length can be told from
 * the timing, and the token is random bytes whose length says nothing of them.
 */
export function darajaCallbackTokenCheck(expected: string): (received: string | null | undefined) => boolean {
  const expectedBytes = expected ? Buffer.from(expected, "utf8") : null;
  return (received) => {
    if (!received || expectedBytes === null || typeof received !== "string") return false;
    if (Buffer.byteLength(received, "utf8") !== expectedBytes.length) return false;
    return timingSafeEqual(Buffer.from(received, "utf8"), expectedBytes);
  };
}

export type DarajaResultParameters = Record<string, string | number>;

export type DarajaB2cResult = {
  /** The OriginatorConversationID: the request's provider key. */
  providerKey: string;
  /** The payout the key names. */
  payoutId: string;
  conversationId: string;
  transactionId: string;
  resultCode: string;
  resultDesc: string;
  /** Whole currency units as M-Pesa reports them, on success. */
  amount: number | undefined;
  parameters: DarajaResultParameters;
  outcome: PayoutOutcome;
};

/** Parses the Result body Daraja POSTs to the B2C ResultURL. Throws VALIDATION_FAILED when malformed. */
export function parseDarajaB2cResult(body: unknown): DarajaB2cResult {
  const result = readResult(body);
  const parameters = readParameters(result);
  const resultCode = String(result.ResultCode);
  const transactionId = stringField(result, "TransactionID") ?? "";
  const receipt = typeof parameters.TransactionReceipt === "string" ? parameters.TransactionReceipt : transactionId;
  const amount = parameters.TransactionAmount === undefined ? undefined : Number(parameters.TransactionAmount);
  const providerKey = requiredField(result, "OriginatorConversationID");
  return {
    providerKey,
    payoutId: parseProviderKey(providerKey).payoutId,
    conversationId: stringField(result, "ConversationID") ?? "",
    transactionId: receipt,
    resultCode,
    resultDesc: stringField(result, "ResultDesc") ?? "",
    amount,
    parameters,
    outcome: classifyDarajaResult(resultCode, stringField(result, "ResultDesc") ?? "", receipt || undefined),
  };
}

/**
 * Checks a parsed result against the payout request it claims to settle. A success whose ids or
 * amount differ is not evidence of payment: the caller should confirm with a status query instead.
 */
export function checkDarajaB2cResult(
  result: DarajaB2cResult,
  expected: { providerKey: string; amount: bigint; currency: string; conversationId?: string | null },
): { ok: true } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  if (result.providerKey !== expected.providerKey) {
    problems.push(`OriginatorConversationID ${result.providerKey} is not the payout's request ${expected.providerKey}`);
  }
  if (expected.conversationId && result.conversationId !== expected.conversationId) {
    problems.push(`ConversationID ${result.conversationId} is not ${expected.conversationId}`);
  }
  if (result.outcome.kind === "paid") {
    const expectedWhole = toWholeUnits(expected.amount, expected.currency);
    const reported = result.amount;
    if (
      expectedWhole === undefined ||
      reported === undefined ||
      !Number.isSafeInteger(reported) ||
      BigInt(reported) !== expectedWhole
    ) {
      problems.push(`TransactionAmount ${String(result.amount)} does not match the payout amount`);
    }
    if (!result.transactionId) problems.push("a successful result has no TransactionReceipt");
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** The QueueTimeOutURL body: the request expired in Daraja's queue, so nothing was paid. */
export function parseDarajaQueueTimeout(body: unknown): { providerKey: string; payoutId: string; outcome: PayoutOutcome } {
  const result = readResult(body);
  const providerKey = requiredField(result, "OriginatorConversationID");
  return {
    providerKey,
    payoutId: parseProviderKey(providerKey).payoutId,
    outcome: {
      kind: "retryable",
      code: `MPESA_${String(result.ResultCode ?? "QUEUE_TIMEOUT")}`,
      message: stringField(result, "ResultDesc") ?? "The request timed out in the M-Pesa queue",
    },
  };
}

export type DarajaStatusResult = {
  /** The request asked about (from the status ResultURL) and the payout it names. */
  providerKey: string;
  payoutId: string;
  status: PayoutStatus;
  amount: number | undefined;
  receipt: string | undefined;
  parameters: DarajaResultParameters;
};

/**
 * Parses the transaction-status Result, which Daraja POSTs to the status query's ResultURL.
 * `providerKey` comes from that URL's query string; when the result names the original
 * OriginatorConversationID too, it must agree.
 */
export function parseDarajaStatusResult(body: unknown, providerKey: string): DarajaStatusResult {
  const result = readResult(body);
  const parameters = readParameters(result);
  const named = parameters.OriginatorConversationID;
  if (named !== undefined && String(named) !== providerKey) {
    throw validationError([
      { path: "Result.ResultParameters.OriginatorConversationID", message: `names ${String(named)}, not request ${providerKey}` },
    ]);
  }
  const receipt = parameters.ReceiptNo === undefined ? undefined : String(parameters.ReceiptNo);
  const transactionStatus = parameters.TransactionStatus === undefined ? undefined : String(parameters.TransactionStatus);
  return {
    providerKey,
    payoutId: parseProviderKey(providerKey).payoutId,
    status: classifyDarajaStatusResult(
      String(result.ResultCode),
      stringField(result, "ResultDesc") ?? "",
      transactionStatus,
      receipt,
    ),
    amount: parameters.Amount === undefined ? undefined : Number(parameters.Amount),
    receipt,
    parameters,
  };
}

/** Minor units → the whole units M-Pesa takes; undefined when the amount has a fractional part. */
export function toWholeUnits(amount: bigint, currency: string): bigint | undefined {
  if (!isSupportedCurrency(currency)) return undefined;
  const factor = 10n ** BigInt(currencyExponent(currency));
  return amount % factor === 0n ? amount / factor : undefined;
}

type ResultRecord = Record<string, unknown>;

function readResult(body: unknown): ResultRecord {
  const result = body && typeof body === "object" ? (body as { Result?: unknown }).Result : undefined;
  if (!result || typeof result !== "object") {
    throw validationError([{ path: "Result", message: "is missing: not a Daraja result body" }]);
  }
  const record = result as ResultRecord;
  if (record.ResultCode === undefined || record.ResultCode === null) {
    throw validationError([{ path: "Result.ResultCode", message: "is required" }]);
  }
  return record;
}

function readParameters(result: ResultRecord): DarajaResultParameters {
  const container = result.ResultParameters as { ResultParameter?: unknown } | undefined;
  const raw = container?.ResultParameter;
  // Daraja sends a single parameter as an object rather than a one-element array.
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const parameters: DarajaResultParameters = {};
  for (const item of list) {
    if (item && typeof item === "object" && typeof (item as { Key?: unknown }).Key === "string") {
      const { Key, Value } = item as { Key: string; Value?: unknown };
      if (typeof Value === "string" || typeof Value === "number") parameters[Key] = Value;
    }
  }
  return parameters;
}

function stringField(record: ResultRecord, field: string): string | undefined {
  const value = record[field];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

function requiredField(record: ResultRecord, field: string): string {
  const value = stringField(record, field);
  if (!value) throw validationError([{ path: `Result.${field}`, message: "is required" }]);
  return value;
}
