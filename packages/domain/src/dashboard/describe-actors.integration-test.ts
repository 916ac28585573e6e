import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createPartnerKey } from "../auth/partner-keys";
import { describeActors } from "./describe-actors";

let database: TestDatabase;
let keyId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.staffUser.create({ data: { id: "staff_named", name: "Wanjiku Operator", email: "wanjiku@agrinet.test", role: "operator" } });
  keyId = (await createPartnerKey({ db: database.db, name: "Acme shop", scopes: ["deposits:read"], actor: "system" })).id;
});

afterAll(async () => {
  await database?.drop();
});

test("staff by name, partner keys by their name, users as user ids, anything else as recorded", async () => {
  const described = await describeActors({
    db: database.db,
    actors: ["staff:staff_named", `partner:${keyId}`, "user:user_prod7", "system", "staff:gone", "staff:staff_named"],
  });
  expect(described).toEqual([
    { actor: "staff:staff_named", kind: "staff", name: "Wanjiku Operator", detail: "wanjiku@agrinet.test", userId: null },
    { actor: `partner:${keyId}`, kind: "partner", name: "Acme shop (partner key)", detail: null, userId: null },
    { actor: "user:user_prod7", kind: "user", name: "user_prod7", detail: null, userId: "user_prod7" },
    { actor: "system", kind: "other", name: "system", detail: null, userId: null },
    { actor: "staff:gone", kind: "staff", name: "Removed staff member", detail: null, userId: null },
  ]);
});
