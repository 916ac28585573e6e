import { validationError, type FieldIssue } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { assertTenantAccess, type NamedRecord, type NamedUser } from "@agrinet/domain";
import { partnerIdInput } from "@agrinet/schemas";
import type { Principal } from "./access";

/**
 * How a procedure's input names what a partner must own. Most procedures need nothing here: the
 * input fields below are read wherever they appear. A procedure whose input names a record
 * under another field says so (`{ idField: "contract" }` for an `id` that is a contract id).
 */
export type TenancyMeta = {
  /**
   * Naming a user nobody has named yet makes it the caller's partner's: creating a deposit, a
   * contract, a paybill account number. Everywhere else an unknown user is not found.
   */
  claimsUsers?: true;
  /** The kind of record the input's `id` field names. */
  idField?: NamedRecord["kind"];
};

const userFields = ["userId", "consumerId", "producerId"] as const;
const recordFields = { depositId: "deposit", payoutId: "payout", contractId: "contract", ratingId: "rating", destinationId: "payoutDestination" } as const;

/** The partner whose records a caller reaches; undefined for staff, who reach everything. */
export function partnerIdOf(principal: Principal | null): string | undefined {
  return principal && principal.kind !== "staff" ? principal.partnerId : undefined;
}

/**
 * A partner's key (and its users' tokens) reach only the partner's users and records: every
 * user, record or ledger account the raw input names must be the partner's, else 404 naming the
 * field. Staff reach everything. The one check, for procedures (the `procedure` builder) and
 * plain routes (the notification stream) alike.
 */
export async function assertCallerReaches(
  db: Db,
  principal: Principal | null,
  rawInput: unknown,
  meta?: TenancyMeta,
  inputSchemas: readonly unknown[] = [],
): Promise<void> {
  const partnerId = partnerIdOf(principal);
  if (!partnerId) return;
  const { users, records } = namedReferences(rawInput, meta);
  assertWellFormed(inputSchemas, rawInput, [...users, ...records].map((named) => named.path));
  if (principal?.kind === "user") {
    // The token's issuer vouches for its user within its partner.
    await assertTenantAccess({ db, partnerId, users: [{ path: "authorization", userId: principal.userId }], records: [], claimUsers: true });
  }
  await assertTenantAccess({ db, partnerId, users, records, claimUsers: meta?.claimsUsers === true });
}

type ZodLike = { _zod?: { def?: { type?: string; shape?: Record<string, unknown>; innerType?: unknown; in?: unknown } }; safeParse?: (value: unknown) => { success: boolean; error?: { issues: Array<{ message: string }> } } };

/** The schema of a top-level field of an input schema, through defaults, optionals and pipes. */
function fieldSchema(schema: unknown, field: string): ZodLike | undefined {
  const def = (schema as ZodLike | undefined)?._zod?.def;
  switch (def?.type) {
    case "object":
      return def.shape?.[field] as ZodLike | undefined;
    case "default":
    case "prefault":
    case "optional":
    case "nullable":
      return fieldSchema(def.innerType, field);
    case "pipe":
      return fieldSchema(def.in, field);
    default:
      return undefined;
  }
}

/**
 * Each top-level field the tenancy check would look up must pass its own schema first: a
 * malformed id is the 400 its schema would give (naming the field), never a 404 for an id that
 * could not exist, and never claimed as a user.
 */
function assertWellFormed(inputSchemas: readonly unknown[], rawInput: unknown, paths: string[]): void {
  if (inputSchemas.length === 0 || paths.length === 0) return;
  const input = rawInput as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  for (const path of new Set(paths)) {
    if (path.includes(".")) continue;
    const schema = inputSchemas.map((s) => fieldSchema(s, path)).find(Boolean);
    const result = schema?.safeParse?.(input[path]);
    if (result && !result.success) issues.push({ path, message: result.error?.issues[0]?.message ?? "malformed" });
  }
  if (issues.length) throw validationError(issues);
}

/** A list's partner filter: a partner's own, whatever it asks; staff may name one (or none: all). */
export function listPartnerFilter(principal: Principal | null, requested: string | undefined): string | undefined {
  return partnerIdOf(principal) ?? requested;
}

/** A staff-only list filter (`partnerId`): accepted from anyone, then overridden for partners. */
export const partnerIdFilterInput = partnerIdInput;

/**
 * The users and records a raw input names (before its schema runs: a field that is not a string
 * names nothing, and the schema refuses it after). Ledger account codes name their owner.
 */
export function namedReferences(rawInput: unknown, meta: TenancyMeta | undefined): { users: NamedUser[]; records: NamedRecord[] } {
  const users: NamedUser[] = [];
  const records: NamedRecord[] = [];
  if (typeof rawInput !== "object" || rawInput === null) return { users, records };
  const input = rawInput as Record<string, unknown>;
  for (const field of userFields) {
    const value = input[field];
    if (typeof value === "string" && value) users.push({ path: field, userId: value });
  }
  for (const [field, kind] of Object.entries(recordFields)) {
    const value = input[field];
    if (typeof value === "string" && value) records.push({ path: field, kind, id: value });
  }
  const metadata = input.metadata;
  if (typeof metadata === "object" && metadata !== null) {
    const contractId = (metadata as Record<string, unknown>).contractId;
    if (typeof contractId === "string" && contractId) records.push({ path: "metadata.contractId", kind: "contract", id: contractId });
  }
  if (meta?.idField && typeof input.id === "string" && input.id) records.push({ path: "id", kind: meta.idField, id: input.id });
  if (typeof input.account === "string" && input.account) {
    const [ownerType, ownerId] = input.account.split(":");
    if (ownerType === "user" && ownerId) users.push({ path: "account", userId: ownerId });
    else if (ownerType === "contract" && ownerId) records.push({ path: "account", kind: "contract", id: ownerId });
    // The platform's own accounts (fees, clearing, provider accounts) are no partner's.
    else records.push({ path: "account", kind: "contract", id: "" });
  }
  return { users, records };
}
