import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { Agent } from "undici";
import { statementCsvAnswer, StatementQueryError, type SandboxAnswer, type StatementEntry } from "./organisation-statement";
import { outcomeForNumber, sandboxResultCodes, type SandboxOutcome } from "./outcomes";
import { compactTimestamp, darajaDateTime, newConversationId, randomReceipt } from "./sandbox-ids";
import {
  createCollectionsHandlers,
  invalid,
  optionalString,
  requiredString,
  requiredUrl,
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


/** What a handler reads of a request. */
type SandboxRequest = { url: string; headers: { authorization?: string | undefined } };

/** A callback's answer must start arriving within this long after it was sent (not while it waits for a connection). */
const callbackTimeoutMs = 10_000;
/** Connections the sandbox opens to one callback origin at most; more callbacks wait for one. */
const callbackConnectionsPerOrigin = 64;
const maxBodyBytes = 1024 * 1024;

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
  // undici's pool per origin: keep-alive (honouring the server's Keep-Alive hint), at most
  // `callbackConnectionsPerOrigin` connections, and a headers timeout that starts when the
  // request is written to a connection.
  const callbacks = new Agent({
    connections: callbackConnectionsPerOrigin,
    headersTimeout: callbackTimeoutMs,
    bodyTimeout: callbackTimeoutMs,
  });
  const stats: SandboxStats = {
    oauthRequests: 0,
    b2cRequests: 0,
    statusQueries: 0,
    callbacksDelivered: 0,
    callbacksFailed: 0,
  };

  function deliver(url: string, json: string, delayMs: number, onDue?: () => void) {
    const send = () => {
      onDue?.();
      const delivery: Promise<void> = postCallback(callbacks, url, json).then(
        (status) => {
          deliveries.delete(delivery);
          if (status >= 200 && status < 300) stats.callbacksDelivered += 1;
          else failed(new Error(`HTTP ${status}`));
        },
        (error: unknown) => {
          deliveries.delete(delivery);
          failed(error);
        },
      );
      deliveries.add(delivery);
    };
    const failed = (error: unknown) => {
      stats.callbacksFailed += 1;
      if (!stopping) log(`callback to ${url} failed: ${String(error)}`);
    };
    // A callback due at once goes out as soon as the answer is written, in the same turn of the
    // event loop, rather than on a timer that wakes the process again a millisecond later.
    if (delayMs === 0) {
      setImmediate(() => {
        if (!stopping) send();
      });
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
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

  function authenticate(request: SandboxRequest) {
    const header = request.headers.authorization ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : "";
    const expiresAt = tokens.get(token);
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      throw new SandboxHttpError(401, "404.001.03", "Invalid Access Token");
    }
  }

  function generateToken(request: SandboxRequest) {
    stats.oauthRequests += 1;
    const url = new URL(request.url, "http://sandbox.local");
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

  function b2cPaymentRequest(request: SandboxRequest, body: Record<string, unknown>): string {
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

  function transactionStatusQuery(request: SandboxRequest, body: Record<string, unknown>): string {
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
  const server = Fastify({ bodyLimit: maxBodyBytes, keepAliveTimeout: 30_000 });
  // Bodies are read as text and parsed by the handler that takes one, whatever the content
  // type, so a body that is not JSON gets Daraja's answer rather than Fastify's. JSON is named
  // as well as the catch-all: Fastify caches the parser it found for a named type, but looks the
  // catch-all up again (parsing the header) on every request.
  server.removeAllContentTypeParsers();
  const keepText = (_request: FastifyRequest, body: string | Buffer, done: (error: null, body: string | Buffer) => void) => done(null, body);
  server.addContentTypeParser(["application/json", "*"], { parseAs: "string" }, keepText);
  const send = (reply: FastifyReply, answer: string | SandboxAnswer) =>
    typeof answer === "string"
      ? reply.type("application/json").send(answer)
      : reply.code(answer.status).type(answer.contentType ?? "application/json").send(answer.json);
  const get = (path: string, answer: (request: FastifyRequest) => string | SandboxAnswer) =>
    server.get(path, (request, reply) => send(reply, answer(request)));
  const post = (path: string, answer: (request: FastifyRequest, body: Record<string, unknown>) => string) =>
    server.post(path, (request, reply) => send(reply, answer(request, readJson(request.body))));

  get("/oauth/v1/generate", (request) => JSON.stringify(generateToken(request)));
  post("/mpesa/b2c/v3/paymentrequest", b2cPaymentRequest);
  post("/mpesa/b2c/v1/paymentrequest", b2cPaymentRequest);
  post("/mpesa/transactionstatus/v1/query", transactionStatusQuery);
  for (const [path, collect] of Object.entries(collections.routes)) {
    // The token is checked before the body is read, as for B2C.
    server.post(path, (request, reply) => {
      authenticate(request);
      return send(reply, collect(readJson(request.body)));
    });
  }
  get("/__sandbox/payments", () => JSON.stringify({ payments: payments() }));
  get("/__sandbox/stats", () => JSON.stringify({ ...stats, ...collections.stats() }));
  get("/__sandbox/statement.csv", (request) => {
    // One account's statement: B2C payouts withdrawn, STK and paybill collections paid in and
    // their reversals withdrawn, in completion order (the running balance depends on it).
    const now = Date.now();
    const entries = [...ledger.map(statementEntry), ...collections.statementEntries().filter((e) => e.completedAt.getTime() <= now)].sort(
      (a, b) => a.completedAt.getTime() - b.completedAt.getTime(),
    );
    return statementCsvAnswer(request.url, entries, { openingBalance: workingAccountFloat, shortCode: "600000" });
  });
  for (const [path, inspect] of Object.entries(collections.inspection)) get(path, inspect);

  server.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split("?", 1)[0];
    void reply.code(404).type("application/json").send(errorJson("404.001.01", `Resource not found: ${request.method} ${pathname}`));
  });
  server.setErrorHandler((error: unknown, _request, reply) => {
    if (error instanceof SandboxHttpError) return reply.code(error.status).type("application/json").send(errorJson(error.errorCode, error.message));
    if (error instanceof StatementQueryError) return reply.code(400).type("application/json").send(errorJson("400.002.02", `Bad Request - ${error.message}`));
    // Fastify's own refusals (a body too large, a bad Content-Length) keep their status.
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).type("application/json").send(errorJson(status === 400 ? "400.002.02" : `${status}.001.01`, (error as Error).message));
    }
    log(`sandbox error: ${String(error)}`);
    return reply.code(500).type("application/json").send(errorJson("500.001.1001", "Server error"));
  });

  await server.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
  const address = server.server.address() as AddressInfo;
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
      await callbacks.destroy(new Error("the sandbox is stopping"));
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

function readJson(body: unknown): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(typeof body === "string" ? body : "");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below as Daraja does
  }
  throw new SandboxHttpError(400, "400.002.02", "Bad Request - Invalid JSON body");
}

/**
 * POSTs a callback and resolves with the answer's status (its body read and dropped). The URLs
 * differ per payout only in their query (the status result names the payout), so each origin
 * and path is parsed once, not per callback. Dispatched with a bare handler rather than
 * `agent.request`, which wraps every answer in a stream only to throw its body away.
 */
const parsedCallbackBases = new Map<string, { origin: string; pathname: string; headers: Record<string, string> }>();
function postCallback(agent: Agent, url: string, json: string): Promise<number> {
  const queryAt = url.indexOf("?");
  const base = queryAt === -1 ? url : url.slice(0, queryAt);
  let parsed = parsedCallbackBases.get(base);
  if (!parsed) {
    const { origin, pathname, username, password } = new URL(base);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (username) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(username)}:${decodeURIComponent(password)}`).toString("base64")}`;
    parsed = { origin, pathname, headers };
    if (parsedCallbackBases.size >= 1_000) parsedCallbackBases.clear();
    parsedCallbackBases.set(base, parsed);
  }
  let query = queryAt === -1 ? "" : url.slice(queryAt).replace(/#.*$/, "");
  // Characters a request line may not carry (spaces, non-ASCII): URL percent-encodes them.
  if (!/^[\x21-\x7e]*$/.test(query)) query = new URL(url).search;
  return new Promise((resolve, reject) => {
    let status = 0;
    agent.dispatch(
      { origin: parsed.origin, path: parsed.pathname + query, method: "POST", headers: parsed.headers, body: json },
      {
        // Its presence tells undici this handler speaks the current (controller) interface.
        onRequestStart: () => {},
        onResponseStart: (_controller, statusCode) => {
          status = statusCode;
        },
        onResponseEnd: () => resolve(status),
        onResponseError: (_controller, error) => reject(error),
      },
    );
  });
}


function newTransactionId() {
  return randomReceipt();
}
