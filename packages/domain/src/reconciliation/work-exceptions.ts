import { DomainError, type CurrencyCode } from "@agrinet/core";
import type { Db, Tx } from "@agrinet/db";
import { recordAudit } from "../audit/record-audit";
import { externalAccount, parseAccountCode, postLedgerTransaction } from "../ledger";
import {
  assignExceptions,
  clearingPostingOf,
  findClearingPostings,
  findExceptions,
  findLine,
  findLineDetail,
  insertComment,
  insertManualMatches,
  linkCandidates,
  listComments,
  matchedPostingsOfLine,
  platformAccountCodes,
  resolveException,
  type ClearingPosting,
  type ExceptionRecord,
  type LineDetail,
} from "@agrinet/stores/reconciliation";
import type { ReconciliationSource } from "./statement-types";

export type ExceptionResolution =
  | { action: "explain"; reason: string }
  /** The line covers these postings of the source's clearing account (none matched yet). */
  | { action: "link"; reason: string; postingIds: bigint[] }
  /**
   * Money must move: the line's amount (or, for an amount mismatch, the difference) is posted
   * between the source's clearing account and `counterAccount` (a platform account, e.g. the
   * operating account bearing a bank fee), and the line is matched to it.
   */
  | { action: "adjust"; reason: string; counterAccount: string };

const notFound = (ids: bigint[]) =>
  new DomainError("NOT_FOUND", `exception ${ids.join(", ")} not found`, { fields: [{ path: "exceptionIds", message: "not found" }] });

async function lockedExceptions(tx: Tx, ids: bigint[]): Promise<ExceptionRecord[]> {
  const found = await findExceptions(tx, ids, true);
  if (found.length !== new Set(ids.map(String)).size) {
    const known = new Set(found.map((e) => String(e.id)));
    throw notFound(ids.filter((id) => !known.has(String(id))));
  }
  return found;
}

/**
 * Resolves exceptions (one or many: the dashboard's bulk action). Every resolution is audited
 * and kept on the exception; nothing is deleted. Resolving a resolved exception is refused
 * (409), so a double click cannot post an adjustment twice (its ledger key is per exception).
 */
export async function resolveExceptions(options: {
  db: Db;
  exceptionIds: bigint[];
  resolution: ExceptionResolution;
  actor: string;
  ip?: string | null;
}): Promise<ExceptionRecord[]> {
  const { resolution } = options;
  if (resolution.action !== "explain" && options.exceptionIds.length !== 1) {
    throw new DomainError("VALIDATION_FAILED", "exceptionIds: link and adjust resolve one exception at a time", {
      fields: [{ path: "exceptionIds", message: "one exception for link or adjust" }],
    });
  }
  await options.db.$transaction(
    async (tx) => {
      const exceptions = await lockedExceptions(tx, options.exceptionIds);
      for (const exception of exceptions) {
        if (exception.status === "resolved") {
          throw new DomainError("INVALID_STATE", `exception ${exception.id} is already resolved (${exception.resolution})`, {
            details: { exceptionId: String(exception.id), resolution: exception.resolution },
          });
        }
        if (exception.mpesaPaymentId !== null) {
          // Money in suspense leaves it only by collections' assign or return (which resolve this too).
          throw new DomainError(
            "INVALID_STATE",
            `exception ${exception.id} is M-Pesa payment ${exception.mpesaPaymentId} in suspense: assign it or return it in collections`,
            { details: { exceptionId: String(exception.id), mpesaPaymentId: exception.mpesaPaymentId, resolveWith: ["mpesa.assignUnmatched", "mpesa.returnUnmatched"] } },
          );
        }
        let adjustmentTransactionId: bigint | null = null;
        if (resolution.action === "link") await linkByHand(tx, exception, resolution.postingIds, options.actor);
        if (resolution.action === "adjust") {
          adjustmentTransactionId = await postAdjustment(tx, exception, resolution.counterAccount, resolution.reason, options.actor);
        }
        const resolved = resolution.action === "explain" ? "explained" : resolution.action === "link" ? "linked" : "adjusted";
        await resolveException(tx, {
          id: exception.id,
          resolution: resolved,
          reason: resolution.reason,
          resolvedBy: options.actor,
          adjustmentTransactionId,
        });
        await recordAudit(tx, {
          actor: options.actor,
          action: `reconciliation.exception.${resolved}`,
          target: `reconciliation_exception:${exception.id}`,
          ip: options.ip ?? null,
          metadata: {
            kind: exception.kind,
            source: exception.source,
            reference: exception.reference,
            reason: resolution.reason,
            ...(resolution.action === "link" ? { postingIds: resolution.postingIds.map(String) } : {}),
            ...(resolution.action === "adjust" ? { counterAccount: resolution.counterAccount, ledgerTransactionId: String(adjustmentTransactionId) } : {}),
          },
        });
      }
    },
    { timeout: 60_000 },
  );
  return findExceptions(options.db, options.exceptionIds, false);
}

export type ExceptionDetail = {
  exception: ExceptionRecord;
  /** The statement line behind it (none for a movement with no line). */
  line: LineDetail | null;
  /** What the line is matched to, once linked or adjusted. */
  matchedPostings: (ClearingPosting & { rule: string })[];
  /** For an open exception with an unmatched line: postings it could be linked to by hand. */
  candidates: ClearingPosting[];
  /** Platform accounts in the exception's currency, for an adjustment. */
  adjustmentAccounts: string[];
  comments: { id: bigint; author: string; body: string; createdAt: Date }[];
};

/** How far from a line's booking time the postings offered for a link by hand may be. */
const linkCandidateDays = 7;

/** One exception with what staff need to work it: its line, candidates to link, comments. */
export async function getExceptionDetail(db: Db, exceptionId: bigint): Promise<ExceptionDetail> {
  const [exception] = await findExceptions(db, [exceptionId], false);
  if (!exception) throw notFound([exceptionId]);
  const line = exception.lineId === null ? null : await findLineDetail(db, exception.lineId);
  const open = exception.status !== "resolved";
  const [matchedPostings, candidates, adjustmentAccounts, comments] = await Promise.all([
    line ? matchedPostingsOfLine(db, line.id) : [],
    line && open && line.status === "unmatched"
      ? linkCandidates(db, { source: exception.source, currency: line.currency, amount: line.amount, around: line.bookedAt, days: linkCandidateDays, limit: 20 })
      : [],
    exception.currency && open ? platformAccountCodes(db, exception.currency) : [],
    listComments(db, exceptionId),
  ]);
  return {
    exception,
    line,
    matchedPostings,
    candidates,
    adjustmentAccounts,
    comments: comments.map((c) => ({ id: c.id, author: c.author, body: c.body, createdAt: c.created_at })),
  };
}

async function linkByHand(tx: Tx, exception: ExceptionRecord, postingIds: bigint[], actor: string) {
  if (exception.lineId === null) {
    throw new DomainError("INVALID_STATE", "this exception has no statement line to link: explain it, or link from the line's exception", {
      fields: [{ path: "resolution.action", message: "no line" }],
    });
  }
  if (postingIds.length === 0) {
    throw new DomainError("VALIDATION_FAILED", "postingIds: at least one", { fields: [{ path: "resolution.postingIds", message: "at least one" }] });
  }
  const line = await findLine(tx, exception.lineId);
  if (!line || line.status === "matched") {
    throw new DomainError("INVALID_STATE", "the line is already matched", { fields: [{ path: "exceptionIds", message: "line matched" }] });
  }
  const postings = await findClearingPostings(tx, exception.source, postingIds);
  const bad = postingIds.filter((id) => !postings.some((p) => p.id === id && !p.matched && p.currency === line.currency));
  if (bad.length) {
    throw new DomainError("VALIDATION_FAILED", `postingIds: ${bad.join(", ")} not unmatched ${line.currency} postings of the ${exception.source} clearing account`, {
      fields: [{ path: "resolution.postingIds", message: "not unmatched postings of this source and currency" }],
    });
  }
  await insertManualMatches(tx, { lineId: line.id, postingIds, rule: "manual", actor });
}

async function postAdjustment(tx: Tx, exception: ExceptionRecord, counterAccount: string, reason: string, actor: string): Promise<bigint> {
  const counter = parseAccountCode(counterAccount);
  if (counter.ownerType !== "platform") {
    throw new DomainError("VALIDATION_FAILED", "resolution.counterAccount: adjustments post against a platform account", {
      fields: [{ path: "resolution.counterAccount", message: "must be platform:<name>:<CCY>" }],
    });
  }
  if (exception.lineId === null || exception.currency === null || exception.statementAmount === null) {
    throw new DomainError("INVALID_STATE", "only an exception with a statement line can be adjusted", {
      fields: [{ path: "resolution.action", message: "no line" }],
    });
  }
  let difference: bigint;
  if (exception.kind === "unmatched_line") difference = exception.statementAmount;
  else if (exception.kind === "amount_mismatch" && exception.ledgerAmount !== null) difference = exception.statementAmount - exception.ledgerAmount;
  else {
    throw new DomainError("INVALID_STATE", `a ${exception.kind} exception is linked or explained, not adjusted`, {
      fields: [{ path: "resolution.action", message: "not adjustable" }],
    });
  }
  if (counter.currency !== exception.currency) {
    throw new DomainError("VALIDATION_FAILED", `resolution.counterAccount: must be in ${exception.currency}`, {
      fields: [{ path: "resolution.counterAccount", message: `currency must be ${exception.currency}` }],
    });
  }
  const currency = exception.currency as CurrencyCode;
  const source = exception.source as ReconciliationSource;
  const posted = await postLedgerTransaction(tx, {
    idempotencyKey: `reconciliation-adjustment:${exception.id}`,
    kind: "adjustment",
    metadata: { exceptionId: String(exception.id), reference: exception.reference ?? `line:${exception.lineId}`, reason, actor },
    // Provider side money out (negative) is a credit to the clearing account, as a payout is.
    postings: [
      { account: externalAccount(source, currency), amount: -difference, currency },
      { account: counterAccount, amount: difference, currency },
    ],
  });
  const transactionId = posted.id;
  const postingId = await clearingPostingOf(tx, transactionId, source);
  const postingIds = [postingId!];
  if (exception.kind === "amount_mismatch" && exception.postingId !== null) {
    const original = await findClearingPostings(tx, source, [exception.postingId]);
    if (original[0] && !original[0].matched) postingIds.unshift(exception.postingId);
  }
  await insertManualMatches(tx, { lineId: exception.lineId, postingIds, rule: "adjustment", actor });
  return transactionId;
}

export async function assignReconciliationExceptions(options: {
  db: Db;
  exceptionIds: bigint[];
  assignee: string | null;
  actor: string;
  ip?: string | null;
}): Promise<ExceptionRecord[]> {
  await options.db.$transaction(async (tx) => {
    await lockedExceptions(tx, options.exceptionIds);
    await assignExceptions(tx, options.exceptionIds, options.assignee);
    await recordAudit(tx, {
      actor: options.actor,
      action: "reconciliation.exception.assigned",
      target: `reconciliation_exception:${options.exceptionIds.join(",")}`,
      ip: options.ip ?? null,
      metadata: { assignee: options.assignee },
    });
  });
  return findExceptions(options.db, options.exceptionIds, false);
}

export async function commentOnException(options: {
  db: Db;
  exceptionId: bigint;
  body: string;
  actor: string;
  ip?: string | null;
}): Promise<{ id: bigint; createdAt: Date }> {
  return options.db.$transaction(async (tx) => {
    await lockedExceptions(tx, [options.exceptionId]);
    const comment = await insertComment(tx, { exceptionId: options.exceptionId, author: options.actor, body: options.body });
    await recordAudit(tx, {
      actor: options.actor,
      action: "reconciliation.exception.commented",
      target: `reconciliation_exception:${options.exceptionId}`,
      ip: options.ip ?? null,
    });
    return { id: comment.id, createdAt: comment.created_at };
  });
}
