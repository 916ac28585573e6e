import { randomUUID } from "node:crypto";
import { DomainError, isDatabaseUnavailable } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { hashPassword } from "better-auth/crypto";
import { recordAudit, type AuditActor } from "../audit/record-audit";
import { catchingDatabaseFailures, type Auth } from "./auth-service";

export const staffRoleNames = ["admin", "operator", "viewer"] as const;
export type StaffRoleName = (typeof staffRoleNames)[number];

export type StaffUserSummary = {
  id: string;
  email: string;
  name: string;
  role: StaffRoleName;
  disabledAt: Date | null;
  createdAt: Date;
};

const summarySelect = { id: true, email: true, name: true, role: true, disabledAt: true, createdAt: true } as const;

function summarize(row: { id: string; email: string; name: string; role: string; disabledAt: Date | null; createdAt: Date }): StaffUserSummary {
  return { ...row, role: row.role as StaffRoleName };
}

export const minimumPasswordLength = 10;

function checkPassword(password: string) {
  if (password.length < minimumPasswordLength) {
    throw new DomainError("VALIDATION_FAILED", `password: at least ${minimumPasswordLength} characters`, {
      fields: [{ path: "password", message: `at least ${minimumPasswordLength} characters` }],
    });
  }
}

export type CreateStaffUserOptions = {
  db: Db;
  email: string;
  name?: string;
  password: string;
  role: StaffRoleName;
  actor: AuditActor;
  ip?: string | null;
};

/**
 * Creates a dashboard user with a better-auth credential account (better-auth's own password
 * hashing, so its sign-in endpoint accepts the password).
 */
export async function createStaffUser(options: CreateStaffUserOptions): Promise<StaffUserSummary> {
  const email = options.email.trim().toLowerCase();
  checkPassword(options.password);
  const passwordHash = await hashPassword(options.password);
  return options.db.$transaction(async (tx) => {
    const existing = await tx.staffUser.findUnique({ where: { email }, select: { id: true } });
    if (existing) {
      throw new DomainError("DUPLICATE_REFERENCE", `a staff user with email ${email} exists`, {
        fields: [{ path: "email", message: "already in use" }],
        details: { userId: existing.id },
      });
    }
    const id = randomUUID();
    const user = await tx.staffUser.create({
      data: { id, email, name: options.name?.trim() || email, role: options.role, emailVerified: true },
      select: summarySelect,
    });
    await tx.staffAccount.create({
      data: { id: randomUUID(), accountId: id, providerId: "credential", userId: id, password: passwordHash },
    });
    await recordAudit(tx, {
      actor: options.actor,
      action: "auth.user.created",
      target: `staff_user:${id}`,
      ip: options.ip,
      metadata: { email, role: options.role },
    });
    return summarize(user);
  });
}

export type UpdateStaffUserOptions = {
  db: Db;
  userId: string;
  role?: StaffRoleName;
  /** true disables the account and ends its sessions; false enables it again. */
  disabled?: boolean;
  /** A new password; ends the user's sessions. */
  password?: string;
  actor: AuditActor;
  ip?: string | null;
};

export async function updateStaffUser(options: UpdateStaffUserOptions): Promise<StaffUserSummary> {
  if (options.password !== undefined) checkPassword(options.password);
  const passwordHash = options.password === undefined ? undefined : await hashPassword(options.password);
  return options.db.$transaction(async (tx) => {
    const before = await tx.staffUser.findUnique({ where: { id: options.userId }, select: summarySelect });
    if (!before) {
      throw new DomainError("NOT_FOUND", `no staff user ${options.userId}`, { fields: [{ path: "userId", message: "not found" }] });
    }
    const changes: Record<string, unknown> = {};
    const data: { role?: string; disabledAt?: Date | null } = {};
    if (options.role !== undefined && options.role !== before.role) {
      data.role = options.role;
      changes.role = { from: before.role, to: options.role };
    }
    if (options.disabled !== undefined && options.disabled !== (before.disabledAt !== null)) {
      data.disabledAt = options.disabled ? new Date() : null;
      changes.disabled = options.disabled;
    }
    if (passwordHash !== undefined) {
      await tx.staffAccount.updateMany({
        where: { userId: before.id, providerId: "credential" },
        data: { password: passwordHash },
      });
      changes.passwordChanged = true;
    }
    if (Object.keys(changes).length === 0) return summarize(before);
    if (options.actor === `staff:${before.id}` && (data.role !== undefined || data.disabledAt)) {
      // An admin locking themselves out leaves nobody able to undo it.
      throw new DomainError("FORBIDDEN", "you cannot change your own role or disable yourself");
    }
    const after = await tx.staffUser.update({ where: { id: before.id }, data, select: summarySelect });
    if (data.disabledAt || passwordHash !== undefined) {
      await tx.staffSession.deleteMany({ where: { userId: before.id } });
    }
    await recordAudit(tx, {
      actor: options.actor,
      action: "auth.user.updated",
      target: `staff_user:${before.id}`,
      ip: options.ip,
      metadata: { email: before.email, ...changes },
    });
    return summarize(after);
  });
}

export async function listStaffUsers(options: { db: Db }): Promise<StaffUserSummary[]> {
  const rows = await options.db.staffUser.findMany({ orderBy: { createdAt: "asc" }, select: summarySelect });
  return rows.map(summarize);
}

export type AuthenticatedStaff = { userId: string; email: string; role: StaffRoleName };

/**
 * The signed-in staff member behind a session cookie, or null (no, expired or disabled). A
 * database that cannot be reached is SERVICE_UNAVAILABLE: better-auth reports it as its own
 * FAILED_TO_GET_SESSION (a 500) and only logs the cause.
 */
export async function authenticateStaffSession(options: {
  auth: Auth;
  headers: Headers;
}): Promise<AuthenticatedStaff | null> {
  const { result, databaseFailure } = await catchingDatabaseFailures(() =>
    options.auth.api.getSession({ headers: options.headers }).then(
      (session) => ({ session, error: undefined }),
      (error: unknown) => ({ session: null, error }),
    ),
  );
  if (databaseFailure || (result.error !== undefined && isDatabaseUnavailable(result.error))) {
    throw new DomainError("SERVICE_UNAVAILABLE", "the database is unavailable; retry later", { cause: databaseFailure ?? result.error });
  }
  if (result.error !== undefined) throw result.error;
  const session = result.session;
  if (!session) return null;
  const user = session.user as typeof session.user & { role?: string; disabledAt?: Date | null };
  if (user.disabledAt) return null;
  if (!staffRoleNames.includes(user.role as StaffRoleName)) return null;
  return { userId: user.id, email: user.email, role: user.role as StaffRoleName };
}

/** Whether the staff member with this email exists and is disabled (sign-in is refused). */
export async function isStaffSignInDisabled(options: { db: Db; email: string }): Promise<boolean> {
  const user = await options.db.staffUser.findUnique({
    where: { email: options.email.trim().toLowerCase() },
    select: { disabledAt: true },
  });
  return user?.disabledAt != null;
}
