import { assertStorableInput, DomainError, errorStatus, isDatabaseUnavailable, type ErrorCode, type FieldIssue } from "@agrinet/core";
import { getTRPCErrorFromUnknown, initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { checkAccess, type Access } from "./access";
import type { Context } from "./context";
import { rejectUnknownKeys, strictInputsOf } from "./strict-input";
import { assertCallerReaches, type TenancyMeta } from "./tenancy";

export type RestMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * The procedure's REST route (apps/api's REST bridge) and OpenAPI operation. Adding this is all a
 * procedure needs to be served over REST: the input's zod object supplies path parameters
 * (`{depositId}` in `path`), the query string (GET/DELETE) or the JSON body (POST/PUT/PATCH).
 */
export type RestMeta = {
  method: RestMethod;
  /** The spec's paths sit at the root (`/deposit/{depositId}/confirm`); the rest under `/api/v1`. */
  path: `/${string}`;
  /** Required: a partner's tools (and `redocly lint`) list operations by it. */
  summary: string;
  description?: string;
  /**
   * Earlier paths of this operation, still served so existing partners keep working but not
   * documented (e.g. one that made the document's paths ambiguous).
   */
  formerPaths?: `/${string}`[];
  tags?: string[];
  /**
   * Whether OpenAPI lists credentials for the operation; defaults to "not public" from
   * `access`, which also picks the schemes (partner key, staff session, user JWT).
   */
  protect?: boolean;
  /** Request body and response body examples, e.g. from `@agrinet/schemas` spec-examples. */
  example?: { request?: unknown; response?: unknown };
  /** Domain errors this operation can answer with besides the common ones, for the docs. */
  errors?: ErrorCode[];
  /**
   * The input field (e.g. `reference`) the operation's own idempotency rests on. Over REST the
   * `Idempotency-Key` header fills it when the body leaves it out, so a retry is recognised by
   * the operation itself, not only by the key's record (another API process, a record expired);
   * a body giving both with different values is refused (400 naming the field).
   */
  idempotencyKeyField?: string;
};

export type Meta = {
  /** Who may call this procedure; required (a procedure without one always fails). */
  access: Access;
  /** Human description, also used for the OpenAPI document. */
  description?: string;
  /** REST route and OpenAPI operation; procedures without it are tRPC-only. */
  openapi?: RestMeta;
  /** How the input names what a partner must own, beyond the fields every input is read for. */
  tenancy?: TenancyMeta;
  /**
   * A server setting that closes the procedure to partner keys their scope would allow (e.g.
   * DEPOSITS_PARTNER_CONFIRM off): the refusal's message, or null when partners may call it.
   * Checked with access, before anything the input names is looked at.
   */
  partnerRefusal?: (ctx: Context) => string | null;
};

/** The error shape every client sees, whatever the transport. */
export type ErrorData = {
  code: ErrorCode;
  httpStatus: number;
  fields: FieldIssue[];
  details?: Record<string, unknown>;
  requestId?: string;
};

function zodFields(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}

export function describeError(cause: unknown): Omit<ErrorData, "requestId"> & { message?: string } {
  if (cause instanceof DomainError) {
    return {
      code: cause.code,
      httpStatus: errorStatus[cause.code].http,
      fields: cause.fields,
      details: cause.details,
      message: cause.message,
    };
  }
  if (cause instanceof ZodError) {
    const fields = zodFields(cause);
    return {
      code: "VALIDATION_FAILED",
      httpStatus: 400,
      fields,
      message: fields.map((f) => `${f.path}: ${f.message}`).join("; "),
    };
  }
  // Nothing happened and a retry will do: 503, not a 500 that reads like a bug.
  if (isDatabaseUnavailable(cause)) {
    return { code: "SERVICE_UNAVAILABLE", httpStatus: 503, fields: [], message: "the database is unavailable; retry later" };
  }
  return { code: "INTERNAL", httpStatus: 500, fields: [] };
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // Subscriptions stream over SSE: pings keep proxies from closing idle streams, and the
    // client reconnects (sending the last event id) when pings stop arriving.
    sse: {
      ping: { enabled: true, intervalMs: 15_000 },
      client: { reconnectAfterInactivityMs: 40_000 },
    },
    errorFormatter({ shape, error, ctx }) {
      const described = describeError(error.cause);
      // tRPC's own errors (unknown procedure, unparsable body) keep tRPC's status.
      const code: ErrorCode =
        described.code === "INTERNAL" && error.code !== "INTERNAL_SERVER_ERROR"
          ? (Object.entries(errorStatus).find(([, s]) => s.trpc === error.code)?.[0] as ErrorCode) ??
            "VALIDATION_FAILED"
          : described.code;
      const data: ErrorData = {
        code,
        httpStatus: errorStatus[code].http,
        fields: described.fields,
        details: described.details,
        requestId: ctx?.requestId,
      };
      return {
        ...shape,
        message: code === "INTERNAL" ? "internal error" : (described.message ?? shape.message),
        data,
      };
    },
  });

export const router = t.router;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

/** A domain error as the TRPCError with the status from the one table; anything else as it is. */
function withDomainStatus(error: TRPCError): TRPCError {
  const cause = error.cause;
  if (!(cause instanceof DomainError)) return error;
  return new TRPCError({ code: errorStatus[cause.code].trpc, message: cause.message, cause });
}

/**
 * Enforces `meta.access` against `ctx.principal`: 401 without valid credentials, 403 when the
 * caller is known but not allowed. "self" rules compare the raw input's `userId` (before
 * parsing, so a schema default can never widen access).
 */
async function enforceAccess(meta: Meta | undefined, ctx: Context, getRawInput: () => Promise<unknown>): Promise<void> {
  if (!meta?.access) {
    throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "procedure declares no access rule" });
  }
  // Only a "self" rule reads the input: anyone else is refused before an unreadable body is.
  const needsInput = !meta.access.public && ctx.principal?.kind === "user";
  const decision = checkAccess(meta.access, ctx.principal, needsInput ? await getRawInput() : undefined);
  if (decision === "unauthorized") throw new DomainError("UNAUTHORIZED", "missing or invalid credentials");
  if (decision === "forbidden") throw new DomainError("FORBIDDEN", "not allowed for this caller");
  const refusal = ctx.principal?.kind === "partner" ? meta.partnerRefusal?.(ctx) : null;
  if (refusal) throw new DomainError("FORBIDDEN", refusal);
}

/**
 * What every call passes before its input is parsed, in this order:
 * - access (`enforceAccess`);
 * - storable input: a string PostgreSQL cannot store (NUL, lone surrogates) or JSON nested or
 *   sized beyond `inputLimits` is a 400 naming the field, whichever field and transport, instead
 *   of a failing query or a stack-deep walk;
 * - tenancy (`assertCallerReaches`; lists are narrowed by the procedures themselves with
 *   `listPartnerFilter`). With the input schemas `withStrictInputs` recorded, a malformed id is a
 *   400 naming its field before anything is looked up (or claimed), and only a well-formed one
 *   that is not the partner's a 404;
 * - unknown keys: keys the input schemas do not declare are a 400 naming them (zod would drop
 *   them silently).
 * Domain errors, from these checks or the resolver, become TRPCErrors with the status from the
 * one table; nothing else does. One middleware rather than one per check: tRPC copies the call's
 * options twice for every middleware step, which came to about a tenth of the API's CPU per
 * POST /deposit with five steps here.
 */
const guard = t.middleware(async ({ meta, ctx, next, getRawInput }) => {
  try {
    await enforceAccess(meta, ctx, getRawInput);
    const rawInput = await getRawInput();
    assertStorableInput(rawInput);
    const schemas = strictInputsOf(meta);
    if (ctx.principal && ctx.principal.kind !== "staff" && !meta?.access.public) {
      await assertCallerReaches(ctx.db, ctx.principal, rawInput, meta?.tenancy, schemas);
    }
    if (schemas) rejectUnknownKeys(schemas, rawInput);
  } catch (cause) {
    throw withDomainStatus(cause instanceof TRPCError ? cause : getTRPCErrorFromUnknown(cause));
  }
  const result = await next();
  if (!result.ok) result.error = withDomainStatus(result.error);
  return result;
});

/** The one procedure builder: every procedure states `meta({ access })`. */
export const procedure = t.procedure.use(guard);
