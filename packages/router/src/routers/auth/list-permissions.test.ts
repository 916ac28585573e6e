import { describe, expect, test } from "vitest";
import type { Principal } from "../../access";
import type { Context } from "../../context";
import { appRouter } from "../../root";

function callerAs(principal: Principal) {
  // The procedure reads only the principal; nothing touches the database.
  return appRouter.createCaller({ principal, requestId: "test", ip: null, expectedMigrations: [] } as unknown as Context);
}

describe("auth.listPermissions", () => {
  test("a viewer may read deposits but not confirm them or run payouts", async () => {
    const { procedures } = await callerAs({ kind: "staff", userId: "v", email: "v@x", role: "viewer" }).auth.listPermissions();
    expect(procedures).toContain("deposits.list");
    expect(procedures).not.toContain("deposits.confirm");
    expect(procedures).not.toContain("payouts.runPayouts");
  });

  test("an operator may confirm deposits and run payouts but not manage keys", async () => {
    const { procedures } = await callerAs({ kind: "staff", userId: "o", email: "o@x", role: "operator" }).auth.listPermissions();
    expect(procedures).toEqual(expect.arrayContaining(["deposits.confirm", "deposits.fail", "payouts.runPayouts"]));
    expect(procedures).not.toContain("auth.createPartnerKey");
  });

  test("an admin may do everything staff may", async () => {
    const { procedures } = await callerAs({ kind: "staff", userId: "a", email: "a@x", role: "admin" }).auth.listPermissions();
    expect(procedures).toEqual(expect.arrayContaining(["auth.createPartnerKey", "auth.revokePartnerKey", "payouts.runPayouts"]));
  });
});
