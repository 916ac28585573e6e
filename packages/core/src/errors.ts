/**
 * Every failure the domain reports has a stable code. Transports (tRPC, REST) map codes to
 * statuses through `errorStatus`, the one table that decides what a caller sees.
 */
export const errorStatus = {
  VALIDATION_FAILED: { http: 400, trpc: "BAD_REQUEST" },
  INSUFFICIENT_FUNDS: { http: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { http: 401, trpc: "UNAUTHORIZED" },
  PAYMENT_DECLINED: { http: 402, trpc: "PAYMENT_REQUIRED" },
  FORBIDDEN: { http: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { http: 404, trpc: "NOT_FOUND" },
  DUPLICATE_REFERENCE: { http: 409, trpc: "CONFLICT" },
  INVALID_STATE: { http: 409, trpc: "CONFLICT" },
  IDEMPOTENCY_KEY_REUSED: { http: 409, trpc: "CONFLICT" },
  /** The first request with this key is still running; retry after it (Stripe: 409 too). */
  IDEMPOTENCY_KEY_IN_USE: { http: 409, trpc: "CONFLICT" },
  ESCROW_NOT_RELEASED: { http: 409, trpc: "CONFLICT" },
  /** A saved payout destination still in its cooling-off (PAYOUT_DESTINATION_COOLING_OFF_HOURS). */
  DESTINATION_COOLING_OFF: { http: 409, trpc: "CONFLICT" },
  /**
   * A limit on what a partner may move (PARTNER_DAILY_PAYOUT_CAP): the request is well formed and
   * allowed, and refused for its amount; `details` names the limit, currency, cap and what remains.
   */
  LIMIT_EXCEEDED: { http: 422, trpc: "UNPROCESSABLE_CONTENT" },
  PAYLOAD_TOO_LARGE: { http: 413, trpc: "PAYLOAD_TOO_LARGE" },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  RATE_LIMITED: { http: 429, trpc: "TOO_MANY_REQUESTS" },
  REQUEST_TIMEOUT: { http: 408, trpc: "TIMEOUT" },
  /** Node refuses headers over its limit before any route runs (tRPC has no code of its own). */
  HEADERS_TOO_LARGE: { http: 431, trpc: "PAYLOAD_TOO_LARGE" },
  INTERNAL: { http: 500, trpc: "INTERNAL_SERVER_ERROR" },
  WORKER_OFFLINE: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
  SERVICE_UNAVAILABLE: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
} as const;

export type ErrorCode = keyof typeof errorStatus;

export type FieldIssue = { path: string; message: string };

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldIssue[];
  /** Safe, caller-facing extra facts (the existing deposit id on a 409, the available amount). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { fields?: FieldIssue[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "DomainError";
    this.code = code;
    this.fields = options.fields ?? [];
    this.details = options.details;
  }
}

export function validationError(fields: FieldIssue[], message?: string): DomainError {
  return new DomainError(
    "VALIDATION_FAILED",
    message ?? fields.map((f) => `${f.path}: ${f.message}`).join("; "),
    { fields },
  );
}
