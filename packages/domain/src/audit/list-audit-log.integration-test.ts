import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { listAuditLog } from "./list-audit-log";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.staffUser.create({ data: { id: "staff_audit_a", name: "A", email: "auditor@agrinet.test", role: "admin" } });
  await database.db.auditLog.createMany({
    data: [
      { actor: "staff:staff_audit_a", action: "auth.key.created", target: "api_key:1", createdAt: new Date("2026-03-01T10:00:00Z") },
      { actor: "partner:key_9", action: "deposit.created", target: "deposit:1", createdAt: new Date("2026-03-02T10:00:00Z") },
      { actor: "staff:staff_audit_a", action: "auth.key.revoked", target: "api_key:1", createdAt: new Date("2026-03-03T10:00:00Z") },
    ],
  });
});

afterAll(async () => {
  await database?.drop();
});

test("staff actors carry their email, others none", async () => {
  const { entries } = await listAuditLog({ db: database.db, limit: 10 });
  expect(entries.map((e) => [e.action, e.actorEmail])).toEqual([
    ["auth.key.revoked", "auditor@agrinet.test"],
    ["deposit.created", null],
    ["auth.key.created", "auditor@agrinet.test"],
  ]);
});

test("the actor filter takes a staff email; an unknown email matches nothing", async () => {
  const byEmail = await listAuditLog({ db: database.db, actor: "Auditor@agrinet.test", limit: 10 });
  expect(byEmail.entries.map((e) => e.action)).toEqual(["auth.key.revoked", "auth.key.created"]);
  expect((await listAuditLog({ db: database.db, actor: "nobody@agrinet.test", limit: 10 })).entries).toEqual([]);
  expect((await listAuditLog({ db: database.db, actor: "partner:key_9", limit: 10 })).entries).toHaveLength(1);
});

test("the date range is [from, to) and combines with the action and the cursor", async () => {
  const range = await listAuditLog({
    db: database.db,
    from: new Date("2026-03-02T00:00:00Z"),
    to: new Date("2026-03-03T10:00:00Z"),
    limit: 10,
  });
  expect(range.entries.map((e) => e.action)).toEqual(["deposit.created"]);

  const first = await listAuditLog({ db: database.db, from: new Date("2026-03-01T00:00:00Z"), limit: 2 });
  expect(first.entries).toHaveLength(2);
  expect(first.nextBeforeId).not.toBeNull();
  const second = await listAuditLog({ db: database.db, from: new Date("2026-03-01T00:00:00Z"), beforeId: first.nextBeforeId!, limit: 2 });
  expect(second.entries.map((e) => e.action)).toEqual(["auth.key.created"]);
  expect(second.nextBeforeId).toBeNull();

  const action = await listAuditLog({ db: database.db, action: "auth.key.created", to: new Date("2026-03-02T00:00:00Z"), limit: 10 });
  expect(action.entries).toHaveLength(1);
});
