import { DomainError, type FieldIssue } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { claimUsers, ownedRecords, reachableUsers, type OwnedRecordKind } from "@agrinet/stores/tenancy";

/** A user id an input names, with the field that named it (for the 404's field). */
export type NamedUser = { path: string; userId: string };
/** A record id an input names. */
export type NamedRecord = { path: string; kind: OwnedRecordKind; id: string };

export type TenantAccessCheck = {
  db: Db;
  partnerId: string;
  users: NamedUser[];
  records: NamedRecord[];
  /**
   * Whether naming a user nobody has named yet makes it the partner's (creating a deposit, a
   * contract, a paybill account); reads and payouts only find.
   */
  claimUsers: boolean;
};

/**
 * What a partner was found to reach, per database. A user's home partner never changes, shares
 * are only ever added and a record's partner is fixed when it is made, so a yes stays a yes: the
 * hot paths (a partner creating deposits for its users) ask the database once per user.
 */
const reached = new WeakMap<Db, Set<string>>();
const maxRemembered = 200_000;

function rememberedFor(db: Db): Set<string> {
  let remembered = reached.get(db);
  if (!remembered) {
    remembered = new Set();
    reached.set(db, remembered);
  }
  if (remembered.size > maxRemembered) remembered.clear();
  return remembered;
}

const notFound = (issues: FieldIssue[]) =>
  new DomainError("NOT_FOUND", issues.map((issue) => `${issue.path}: ${issue.message}`).join("; "), { fields: issues });

/**
 * A partner (or one of its users) reaches only its own users and records. Anything else is
 * NOT_FOUND naming the field, the same answer as an id that does not exist, so ids never leak
 * whose they are.
 */
export async function assertTenantAccess(check: TenantAccessCheck): Promise<void> {
  const remembered = rememberedFor(check.db);
  const userKey = (userId: string) => `${check.partnerId}\u0000user\u0000${userId}`;
  const recordKey = (record: NamedRecord) => `${check.partnerId}\u0000${record.kind}\u0000${record.id}`;
  const issues: FieldIssue[] = [];

  const users = check.users.filter((user) => !remembered.has(userKey(user.userId)));
  if (users.length) {
    const ids = [...new Set(users.map((user) => user.userId))];
    const found = check.claimUsers
      ? await claimUsers(check.db.$pool, check.partnerId, ids)
      : await reachableUsers(check.db.$pool, check.partnerId, ids);
    for (const user of users) {
      if (found.has(user.userId)) remembered.add(userKey(user.userId));
      else issues.push({ path: user.path, message: "no such user" });
    }
  }

  const records = check.records.filter((record) => !remembered.has(recordKey(record)));
  for (const kind of new Set(records.map((record) => record.kind))) {
    const named = records.filter((record) => record.kind === kind);
    const owned = await ownedRecords(check.db.$pool, check.partnerId, kind, [...new Set(named.map((r) => r.id))]);
    for (const record of named) {
      if (owned.has(record.id)) remembered.add(recordKey(record));
      else issues.push({ path: record.path, message: `no such ${kind}` });
    }
  }
  if (issues.length) throw notFound(issues);
}
