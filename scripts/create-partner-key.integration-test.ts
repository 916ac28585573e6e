import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { authenticatePartnerKey } from "@agrinet/domain";
import { createAuth } from "../apps/api/src/auth/create-auth";
import { afterAll, beforeAll, expect, test } from "vitest";

let database: TestDatabase;
const script = join(import.meta.dirname, "create-partner-key.ts");

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

function run(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    env: { ...process.env, DATABASE_URL: database.url },
    encoding: "utf8",
  });
}

test("keys:create prints a working key once and stores only its hash, with an audit row", async () => {
  const result = run(["--name", "Acme app", "--scopes", "deposits:read,payouts:read"]);
  expect(result.status, result.stderr).toBe(0);
  const key = result.stdout.trim();
  expect(key).toMatch(/^agp_\w{40,}$/);

  const row = await database.db.apiKey.findFirstOrThrow({ where: { name: "Acme app" } });
  expect(row.key).not.toBe(key);
  const auth = createAuth({ db: database.db, secret: "x".repeat(32), baseURL: "http://127.0.0.1", trustedOrigins: [] });
  expect(await authenticatePartnerKey({ auth, db: database.db, key })).toMatchObject({
    keyId: row.id,
    scopes: ["deposits:read", "payouts:read"],
    partnerId: "partner_default",
  });
  const audit = await database.db.auditLog.findFirstOrThrow({ where: { target: `api_key:${row.id}` } });
  expect(audit.action).toBe("auth.key.created");
});

test("keys:create --partner issues the key for that partner; an unknown partner is refused", async () => {
  await database.db.partner.create({ data: { id: "partner_coop", name: "Coop app", createdBy: "test" } });
  const result = run(["--name", "Coop key", "--scopes", "all", "--partner", "partner_coop"]);
  expect(result.status, result.stderr).toBe(0);
  expect(await database.db.apiKey.findFirstOrThrow({ where: { name: "Coop key" } })).toMatchObject({ partnerId: "partner_coop" });
  const unknown = run(["--name", "Lost key", "--scopes", "all", "--partner", "partner_nobody"]);
  expect(unknown.status).not.toBe(0);
  expect(unknown.stderr).toContain("partner_nobody");
  expect(await database.db.apiKey.count({ where: { name: "Lost key" } })).toBe(0);
});

test("keys:create refuses unknown scopes and a missing name", () => {
  const badScope = run(["--name", "x", "--scopes", "deposits:delete"]);
  expect(badScope.status).toBe(64);
  expect(badScope.stderr).toContain("unknown scope deposits:delete");
  expect(run(["--scopes", "all"]).status).toBe(64);
});
