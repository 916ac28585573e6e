import { DomainError } from "@agrinet/core";

type DatabaseErrorFields = { code?: string; originalCode?: string; message?: string; detail?: string };

/**
 * The PostgreSQL error behind a failed query, whether it came through Prisma (driver-adapter
 * error in `meta.driverAdapterError.cause`) or straight from `pg`.
 */
export function databaseErrorOf(error: unknown): DatabaseErrorFields | undefined {
  const candidate = error as {
    meta?: { driverAdapterError?: { cause?: DatabaseErrorFields } };
    cause?: DatabaseErrorFields;
    code?: string;
  };
  const fromPrisma = candidate?.meta?.driverAdapterError?.cause;
  if (fromPrisma) return { ...fromPrisma, code: fromPrisma.originalCode ?? fromPrisma.code };
  if (typeof candidate?.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) {
    return candidate as DatabaseErrorFields;
  }
  return undefined;
}

function parseDetail(detail: string | undefined): Record<string, unknown> | undefined {
  if (!detail) return undefined;
  try {
    return JSON.parse(detail) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Deadlocks and serialization failures: the whole database transaction may simply be retried. */
export function isRetryableDatabaseError(error: unknown): boolean {
  const code = databaseErrorOf(error)?.code;
  return code === "40P01" || code === "40001";
}

/**
 * Maps the ledger's own SQLSTATEs (class LG, see the ledger migration) and the constraint
 * violations its tables can raise to DomainErrors; anything else is rethrown unchanged.
 */
export function toLedgerDomainError(error: unknown): unknown {
  const db = databaseErrorOf(error);
  if (!db?.code) return error;
  const message = db.message ?? "ledger operation refused";
  const details = parseDetail(db.detail);
  switch (db.code) {
    case "LG003":
      return new DomainError("INSUFFICIENT_FUNDS", message, { details, cause: error });
    case "LG004":
      return new DomainError("IDEMPOTENCY_KEY_REUSED", message, { details, cause: error });
    case "LG005":
      return new DomainError("INVALID_STATE", message, { details, cause: error });
    case "LG006":
      return new DomainError("NOT_FOUND", message, { details, cause: error });
    case "LG002":
    case "LG007":
      return new DomainError("VALIDATION_FAILED", message, {
        fields: [{ path: "postings", message }],
        cause: error,
      });
    case "23503":
      // (account_id, currency) -> ledger_accounts(id, currency): the posting's currency differs
      // from its account's.
      return new DomainError("VALIDATION_FAILED", "posting currency differs from the account currency", {
        fields: [{ path: "postings", message: "currency must match the account's currency" }],
        cause: error,
      });
    default:
      return error;
  }
}
