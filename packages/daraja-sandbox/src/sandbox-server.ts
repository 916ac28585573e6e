import { randomBytes, randomFillSync, randomUUID } from "node:crypto";
import { createCallbackClient, type CallbackTarget } from "./callback-client";
import { startJsonHttpServer, type JsonHttpAnswer, type JsonHttpRequest } from "./json-http-server";
import { statementCsvAnswer, StatementQueryError, type StatementEntry } from "./organisation-statement";
import { outcomeForNumber, sandboxResultCodes, type SandboxOutcome } from "./outcomes";
import {
  createCollectionsHandlers,
  SandboxHttpError,
  type SandboxC2bPayment,
  type SandboxReversal,
  type SandboxStkPayment,
} from "./collections";

export type DarajaSandboxOptions = {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** When both are set only these credentials get a token; otherwise any non-empty pair does. */
  consumerKey?: string;
  consumerSecret?: string;
  tokenTtlSeconds?: number;
  /** How long the "slow" number's result callback waits. */
  slowCallbackDelayMs?: number;
  /** How long an STK customer takes to answer the PIN prompt (default 0). */
  stkPinDelayMs?: number;
  /** When set, STK passwords must be base64(shortcode + this passkey + timestamp). */
  stkPasskey?: string;
  /** Fault injection: every STK callback sent this many times. */
  stkCallbackCopies?: number;
  /** Fault injection: the share (0-1) of STK callbacks never sent. */
  stkCallbackDropRate?: number;
  log?: (line: string) => void;
};

/** One B2C payment the sandbox actually made: its ledger, used to prove nothing was paid twice. */
export type SandboxPayment = {
  originatorConversationId: string;
  conversationId: string;
  transactionId: string;
  partyA: string;
  partyB: string;
  amount: number;
  commandId: string;
  /** How many B2C requests carried this OriginatorConversationID (replays included). */
  requests: number;
  paidAt: string;
};

export type SandboxStats = {
  oauthRequests: number;
  b2cRequests: number;
  statusQueries: number;
  callbacksDelivered: number;
  callbacksFailed: number;
};

export type DarajaSandbox = {
  url: string;
  port: number;
  payments(): SandboxPayment[];
  /** Every STK Push received, with what the customer did. */
  stkPayments(): SandboxStkPayment[];
  /** Every C2B paybill payment simulated (accepted or rejected by validation). */
  c2bPayments(): SandboxC2bPayment[];
  reversals(): SandboxReversal[];
  stats(): SandboxStats;
  stop(): Promise<void>;
};

type B2cTransaction = {
  originatorConversationId: string;
  conversationId: string;
  transactionId: string;
  partyA: string;
  partyB: string;
  amount: number;
  commandId: string;
  outcome: SandboxOutcome;
  paid: boolean;
  resultUrl: string;
  resultCode: number | string;
  resultDesc: string;
  /**
   * The result callback's body and the synchronous answer, as JSON text: serialised once, and
   * thousands of them kept as a few strings each rather than trees of small objects the
   * garbage collector walks.
   */
  resultJson: string;
  syncResponseJson: string;
  /** Set once the first result callback is due, so a replayed request can resend it. */
  resultSent: boolean;
  requests: number;
  paidAt: Date;
};

type ResultParameter = { Key: string; Value: string | number };
export type DarajaResultBody = {
  Result: {
    ResultType: number;
    ResultCode: number | string;
    ResultDesc: string;
    OriginatorConversationID: string;
    ConversationID: string;
    TransactionID: string;
    ResultParameters?: { ResultParameter: ResultParameter[] };
    ReferenceData?: { ReferenceItem: ResultParameter };
  };
};


const b2cCommands = new Set(["BusinessPayment", "SalaryPayment", "PromotionPayment"]);
const workingAccountFloat = 900_000;
const utilityAccountFloat = 250_000;

export async function startDarajaSandbox(options: DarajaSandboxOptions = {}): Promise<DarajaSandbox> {
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 3599;
  const slowCallbackDelayMs = options.slowCallbackDelayMs ?? 3_000;
  const log = options.log ?? (() => {});

  const tokens = new Map<string, number>();
  const transactions = new Map<string, B2cTransaction>();
  const byTransactionId = new Map<string, B2cTransaction>();
  const ledger: B2cTransaction[] = [];
  // First attempts of the "transient" and "queue-timeout" numbers fail and are forgotten, so
  // the retry with the same OriginatorConversationID goes through.
  const failedFirstAttempts = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const deliveries = new Set<Promise<void>>();
  let stopping = false;
  const callbacks = createCallbackClient({ timeoutMs: 10_000 });
  const stats: SandboxStats = {
    oauthRequests: 0,
    b2cRequests: 0,
    statusQueries: 0,
    callbacksDelivered: 0,
    callbacksFailed: 0,
  };

  function deliver(url: string, json: string, delayMs: number, onDue?: () => void) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      onDue?.();
      const delivery = callbacks
        .post(callbackTarget(url), json)
        .then((status) => {
          if (status < 200 || status >= 300) throw new Error(`HTTP ${status}`);
          stats.callbacksDelivered += 1;
        })
        .catch((error: unknown) => {
          stats.callbacksFailed += 1;
          if (!stopping) log(`callback to ${url} failed: ${String(error)}`);
        })
        .finally(() => deliveries.delete(delivery));
      deliveries.add(delivery);
    }, delayMs);
    timers.add(timer);
  }

  function sendResult(transaction: B2cTransaction, delayMs: number) {
    deliver(transaction.resultUrl, transaction.resultJson, delayMs, () => {
      transaction.resultSent = true;
    });
  }

  const collections = createCollectionsHandlers({
    deliver,
    slowCallbackDelayMs,
    stkPinDelayMs: options.stkPinDelayMs ?? 0,
    stkPasskey: options.stkPasskey,
    stkCallbackCopies: options.stkCallbackCopies,
    stkCallbackDropRate: options.stkCallbackDropRate,
    log,
  });

  function authenticate(request: JsonHttpRequest) {
    const header = request.headers.authorization ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : "";
    const expiresAt = tokens.get(token);
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      throw new SandboxHttpError(401, "404.001.03", "Invalid Access Token");
    }
  }

  function generateToken(request: JsonHttpRequest, url: URL) {
    stats.oauthRequests += 1;
    if (url.searchParams.get("grant_type") !== "client_credentials") {
      throw new SandboxHttpError(400, "400.008.02", "Invalid grant type passed");
    }
    const header = request.headers.authorization ?? "";
    const [key, secret] = header.startsWith("Basic ")
      ? Buffer.from(header.slice(6), "base64").toString("utf8").split(":", 2)
      : [];
    const credentialsRequired = options.consumerKey !== undefined && options.consumerSecret !== undefined;
    const valid = credentialsRequired
      ? key === options.consumerKey && secret === options.consumerSecret
      : Boolean(key) && Boolean(secret);
    if (!valid) throw new SandboxHttpError(400, "400.008.01", "Invalid Authentication passed");
    const token = randomBytes(16).toString("base64url");
    tokens.set(token, Date.now() + tokenTtlSeconds * 1000);
    return { access_token: token, expires_in: String(tokenTtlSeconds) };
  }

  function b2cPaymentRequest(request: JsonHttpRequest, body: Record<string, unknown>): string {
    stats.b2cRequests += 1;
    authenticate(request);
    const originatorConversationId = requiredString(body, "OriginatorConversationID");
    requiredString(body, "InitiatorName");
    requiredString(body, "SecurityCredential");
    const commandId = requiredString(body, "CommandID");
    if (!b2cCommands.has(commandId)) throw invalid("CommandID");
    const amount = Number(body.Amount);
    if (!Number.isSafeInteger(amount) || amount <= 0) throw invalid("Amount");
    const partyA = requiredString(body, "PartyA");
    const partyB = requiredString(body, "PartyB");
    if (!/^\d{9,15}$/.test(partyB)) throw invalid("PartyB");
    const resultUrl = requiredUrl(body, "ResultURL");
    const timeoutUrl = requiredUrl(body, "QueueTimeOutURL");

    const existing = transactions.get(originatorConversationId);
    if (existing) {
      if (existing.partyB !== partyB || existing.amount !== amount || existing.partyA !== partyA) {
        throw new SandboxHttpError(
          409,
          "409.001.01",
          "Duplicate OriginatorConversationID with different PartyA, PartyB or Amount",
        );
      }
      existing.requests += 1;
      // A replay after the result went out resends it: the caller evidently missed it.
      if (existing.resultSent) sendResult(existing, 0);
      return existing.syncResponseJson;
    }

    const outcome = outcomeForNumber(partyB);
    const conversationId = newConversationId();
    const accepted = JSON.stringify({
      ConversationID: conversationId,
      OriginatorConversationID: originatorConversationId,
      ResponseCode: "0",
      ResponseDescription: "Accept the service request successfully.",
    });
    if (
      (outcome === "transient" || outcome === "queue-timeout") &&
      !failedFirstAttempts.has(originatorConversationId)
    ) {
      failedFirstAttempts.add(originatorConversationId);
      if (outcome === "transient") {
        throw new SandboxHttpError(503, "503.001.01", "Service Unavailable - the M-Pesa system is busy");
      }
      deliver(
        timeoutUrl,
        resultJson({
          code: sandboxResultCodes.queueTimeout,
          originatorConversationId,
          conversationId,
          transactionId: "",
          timeoutUrl,
        }),
        0,
      );
      return accepted;
    }

    const paid = outcome !== "insufficient-float" && outcome !== "invalid-number";
    const transactionId = newTransactionId();
    const code =
      outcome === "insufficient-float"
        ? sandboxResultCodes.insufficientFloat
        : outcome === "invalid-number"
          ? sandboxResultCodes.invalidNumber
          : sandboxResultCodes.success;
    const transaction: B2cTransaction = {
      originatorConversationId,
      conversationId,
      transactionId,
      partyA,
      partyB,
      amount,
      commandId,
      outcome,
      paid,
      resultUrl,
      resultCode: code.code,
      resultDesc: code.description,
      resultJson: resultJson({
        code,
        originatorConversationId,
        conversationId,
        transactionId,
        timeoutUrl,
        parameters: paid ? paymentParameters(transactionId, amount, partyB) : undefined,
      }),
      syncResponseJson: accepted,
      resultSent: false,
      requests: 1,
      paidAt: new Date(),
    };
    transactions.set(originatorConversationId, transaction);
    byTransactionId.set(transactionId, transaction);
    if (paid) ledger.push(transaction);

    if (outcome === "slow") sendResult(transaction, slowCallbackDelayMs);
    else if (outcome !== "no-callback") sendResult(transaction, 0);
    if (outcome === "duplicate-callback") deliver(resultUrl, transaction.resultJson, 0);
    return accepted;
  }

  function transactionStatusQuery(request: JsonHttpRequest, body: Record<string, unknown>): string {
    stats.statusQueries += 1;
    authenticate(request);
    requiredString(body, "Initiator");
    requiredString(body, "SecurityCredential");
    if (body.CommandID !== "TransactionStatusQuery") throw invalid("CommandID");
    const partyA = requiredString(body, "PartyA");
    const resultUrl = requiredUrl(body, "ResultURL");
    const timeoutUrl = requiredUrl(body, "QueueTimeOutURL");
    const originalId = optionalString(body, "OriginalConversationID");
    const transactionId = optionalString(body, "TransactionID");
    if (!originalId && !transactionId) throw invalid("TransactionID or OriginalConversationID");

    const found =
      (originalId ? transactions.get(originalId) : undefined) ??
      (transactionId ? byTransactionId.get(transactionId) : undefined);
    const queryId = `${randomUUID()}`;
    const conversationId = newConversationId();
    const base = { originatorConversationId: queryId, conversationId, timeoutUrl };
    let result: string;
    if (!found) {
      result = resultJson({ ...base, code: sandboxResultCodes.unknownOriginatorConversationId, transactionId: "" });
    } else if (!found.paid) {
      result = resultJson({
        ...base,
        code: { code: found.resultCode, description: found.resultDesc },
        transactionId: found.transactionId,
        parameters: [{ Key: "OriginatorConversationID", Value: found.originatorConversationId }],
      });
    } else {
      result = resultJson({
        ...base,
        code: sandboxResultCodes.success,
        transactionId: found.transactionId,
        parameters: [
          { Key: "ReceiptNo", Value: found.transactionId },
          { Key: "Conversation ID", Value: found.conversationId },
          { Key: "OriginatorConversationID", Value: found.originatorConversationId },
          { Key: "FinalisedTime", Value: Number(compactTimestamp(found.paidAt)) },
          { Key: "Amount", Value: found.amount },
          { Key: "TransactionStatus", Value: "Completed" },
          { Key: "ReasonType", Value: "Business Payment to Customer via API" },
          { Key: "DebitPartyName", Value: `${partyA} - Agrinet Pay` },
          { Key: "CreditPartyName", Value: `${found.partyB} - Sandbox Recipient` },
        ],
      });
    }
    deliver(resultUrl, result, 0);
    return JSON.stringify({
      OriginatorConversationID: queryId,
      ConversationID: conversationId,
      ResponseCode: "0",
      ResponseDescription: "Accept the service request successfully.",
    });
  }

  /** The answer's JSON text, or a whole answer for what is not JSON. */
  function route(request: JsonHttpRequest): string | JsonHttpAnswer {
    const target = request.target;
    const queryAt = target.indexOf("?");
    const pathname = queryAt === -1 ? target : target.slice(0, queryAt);
    if (request.method === "GET" && pathname === "/oauth/v1/generate") {
      return JSON.stringify(generateToken(request, new URL(target, "http://sandbox.local")));
    }
    if (request.method === "GET" && pathname === "/__sandbox/payments") return JSON.stringify({ payments: payments() });
    if (request.method === "GET" && pathname === "/__sandbox/statement.csv") {
      // One account's statement: B2C payouts withdrawn, STK and paybill collections paid in and
      // their reversals withdrawn, in completion order (the running balance depends on it).
      const now = Date.now();
      const entries = [...ledger.map(statementEntry), ...collections.statementEntries().filter((e) => e.completedAt.getTime() <= now)].sort(
        (a, b) => a.completedAt.getTime() - b.completedAt.getTime(),
      );
      return statementCsvAnswer(target, entries, { openingBalance: workingAccountFloat, shortCode: "600000" });
    }
    if (request.method === "GET" && pathname === "/__sandbox/stats") {
      return JSON.stringify({ ...stats, ...collections.stats() });
    }
    const inspect = request.method === "GET" ? collections.inspection[pathname] : undefined;
    if (inspect) return inspect();
    const collect = request.method === "POST" ? collections.routes[pathname] : undefined;
    if (collect) {
      authenticate(request);
      return collect(readJson(request));
    }
    if (request.method === "POST") {
      if (pathname === "/mpesa/b2c/v3/paymentrequest" || pathname === "/mpesa/b2c/v1/paymentrequest") {
        return b2cPaymentRequest(request, readJson(request));
      }
      if (pathname === "/mpesa/transactionstatus/v1/query") {
        return transactionStatusQuery(request, readJson(request));
      }
    }
    throw new SandboxHttpError(404, "404.001.01", `Resource not found: ${request.method} ${pathname}`);
  }

  function payments(): SandboxPayment[] {
    return ledger.map((t) => ({
      originatorConversationId: t.originatorConversationId,
      conversationId: t.conversationId,
      transactionId: t.transactionId,
      partyA: t.partyA,
      partyB: t.partyB,
      amount: t.amount,
      commandId: t.commandId,
      requests: t.requests,
      paidAt: t.paidAt.toISOString(),
    }));
  }

  const errorJson = (errorCode: string, errorMessage: string) =>
    JSON.stringify({ requestId: randomUUID(), errorCode, errorMessage });
  function handle(request: JsonHttpRequest): JsonHttpAnswer {
    try {
      const answer = route(request);
      return typeof answer === "string" ? { status: 200, json: answer } : answer;
    } catch (error) {
      if (error instanceof SandboxHttpError) return { status: error.status, json: errorJson(error.errorCode, error.message) };
      if (error instanceof StatementQueryError) return { status: 400, json: errorJson("400.002.02", `Bad Request - ${error.message}`) };
      log(`sandbox error: ${String(error)}`);
      return { status: 500, json: errorJson("500.001.1001", "Server error") };
    }
  }
  const server = await startJsonHttpServer({
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    keepAliveTimeoutMs: 30_000,
    handle,
    unreadable: (status, message) => errorJson(status === 400 ? "400.002.02" : `${status}.001.01`, message),
  });
  const { address } = server;
  const url = `http://${address.address}:${address.port}`;

  return {
    url,
    port: address.port,
    payments,
    stkPayments: collections.stkPayments,
    c2bPayments: collections.c2bPayments,
    reversals: collections.reversals,
    stats: () => ({ ...stats }),
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      stopping = true;
      callbacks.close(new Error("the sandbox is stopping"));
      await Promise.allSettled([...deliveries]);
      await server.close();
    },
  };
}

function resultJson(input: {
  code: { code: number | string; description: string };
  originatorConversationId: string;
  conversationId: string;
  transactionId: string;
  timeoutUrl: string;
  parameters?: ResultParameter[] | undefined;
}): string {
  const body: DarajaResultBody = {
    Result: {
      ResultType: 0,
      ResultCode: input.code.code,
      ResultDesc: input.code.description,
      OriginatorConversationID: input.originatorConversationId,
      ConversationID: input.conversationId,
      TransactionID: input.transactionId,
      ...(input.parameters ? { ResultParameters: { ResultParameter: input.parameters } } : {}),
      ReferenceData: { ReferenceItem: { Key: "QueueTimeoutURL", Value: input.timeoutUrl } },
    },
  };
  return JSON.stringify(body);
}

/** A paid B2C payment as the organisation statement lists it: withdrawn from the working account. */
function statementEntry(t: B2cTransaction): StatementEntry {
  return {
    receipt: t.transactionId,
    completedAt: t.paidAt,
    initiatedAt: t.paidAt,
    details: `Business Payment to ${t.partyB} - Sandbox Recipient`,
    amount: -t.amount,
    reasonType: "Business Payment to Customer via API",
    otherPartyInfo: `${t.partyB} - Sandbox Recipient`,
  };
}

function paymentParameters(transactionId: string, amount: number, partyB: string): ResultParameter[] {
  return [
    { Key: "TransactionAmount", Value: amount },
    { Key: "TransactionReceipt", Value: transactionId },
    { Key: "B2CRecipientIsRegisteredCustomer", Value: "Y" },
    { Key: "B2CChargesPaidAccountAvailableFunds", Value: 0 },
    { Key: "ReceiverPartyPublicName", Value: `${partyB} - Sandbox Recipient` },
    { Key: "TransactionCompletedDateTime", Value: darajaDateTime(new Date()) },
    { Key: "B2CUtilityAccountAvailableFunds", Value: utilityAccountFloat },
    { Key: "B2CWorkingAccountAvailableFunds", Value: workingAccountFloat },
  ];
}

function readJson(request: JsonHttpRequest): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(request.body.toString("utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below as Daraja does
  }
  throw new SandboxHttpError(400, "400.002.02", "Bad Request - Invalid JSON body");
}

/**
 * A callback URL as the callback client takes it. The URLs differ per payout only in their query
 * (the status result names the payout), so each origin and path is parsed once, not per callback.
 */
const parsedCallbackBases = new Map<string, Omit<CallbackTarget, "path"> & { pathname: string }>();
function callbackTarget(url: string): CallbackTarget {
  const queryAt = url.indexOf("?");
  const base = queryAt === -1 ? url : url.slice(0, queryAt);
  let parsed = parsedCallbackBases.get(base);
  if (!parsed) {
    const { protocol, hostname, port, pathname, username, password } = new URL(base);
    // IPv6 literals come bracketed from URL; a connection wants them bare.
    const auth = username ? `${decodeURIComponent(username)}:${decodeURIComponent(password)}` : undefined;
    parsed = { protocol, hostname: hostname.replace(/^\[(.*)\]$/, "$1"), port, pathname, auth };
    if (parsedCallbackBases.size >= 1_000) parsedCallbackBases.clear();
    parsedCallbackBases.set(base, parsed);
  }
  let query = queryAt === -1 ? "" : url.slice(queryAt).replace(/#.*$/, "");
  // Characters a request line may not carry (spaces, non-ASCII): URL percent-encodes them.
  if (!/^[\x21-\x7e]*$/.test(query)) query = new URL(url).search;
  return { ...parsed, path: parsed.pathname + query };
}

function invalid(field: string) {
  return new SandboxHttpError(400, "400.002.02", `Bad Request - Invalid ${field}`);
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = optionalString(body, field);
  if (!value) throw invalid(field);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * Whether a URL parses depends only on what comes before its query (a query never fails to
 * parse), and the callers send the same few bases with a payout-specific query: each base is
 * parsed once.
 */
const validUrlBases = new Set<string>();
function requiredUrl(body: Record<string, unknown>, field: string): string {
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

/** Random bytes drawn from a pool refilled 4 KiB at a time: one system call per ~200 ids, not per id. */
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;
function pooledRandomBytes(size: number): Buffer {
  if (randomPoolOffset + size > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  randomPoolOffset += size;
  return randomPool.subarray(randomPoolOffset - size, randomPoolOffset);
}

function newConversationId() {
  return `AG_${compactTimestamp(new Date()).slice(0, 8)}_${pooledRandomBytes(10).toString("hex")}`;
}

const receiptAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
function newTransactionId() {
  const bytes = pooledRandomBytes(10);
  let id = "";
  for (const b of bytes) id += receiptAlphabet[b % receiptAlphabet.length];
  return id;
}

/** Formats one second at most once: every id and result carries a timestamp of this second. */
function perSecond(format: (iso: string) => string): (date: Date) => string {
  let second = Number.NaN;
  let formatted = "";
  return (date) => {
    const at = Math.floor(date.getTime() / 1000);
    if (at !== second) {
      second = at;
      formatted = format(date.toISOString());
    }
    return formatted;
  };
}

const compactTimestamp = perSecond((iso) => iso.replace(/\D/g, "").slice(0, 14));

const darajaDateTime = perSecond(
  (iso) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)} ${iso.slice(11, 19)}`,
);
