import { TRPCError } from "@trpc/server";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { actorOf, checkAccess, type Principal } from "./access";
import { everythingOwnedDb } from "./testing-tenancy";
import { createCallerFactory, procedure, router } from "./trpc";

const user: Principal = { kind: "user", partnerId: "partner_default", userId: "u1" };
const partner: Principal = { kind: "partner", partnerId: "partner_default", keyId: "k1", name: "p", scopes: ["deposits:read"] };
const viewer: Principal = { kind: "staff", userId: "s1", email: "v@x", role: "viewer" };

describe("checkAccess", () => {
  test("public allows anyone, everything else needs a principal", () => {
    expect(checkAccess({ public: true }, null, undefined)).toBe("allow");
    expect(checkAccess({ staff: ["admin"] }, null, undefined)).toBe("unauthorized");
    expect(checkAccess({ authenticated: true }, null, undefined)).toBe("unauthorized");
    expect(checkAccess({ authenticated: true }, partner, undefined)).toBe("allow");
  });

  test("staff by role, partners by any one scope", () => {
    expect(checkAccess({ staff: ["admin", "operator"] }, viewer, undefined)).toBe("forbidden");
    expect(checkAccess({ staff: ["viewer"] }, viewer, undefined)).toBe("allow");
    expect(checkAccess({ partner: ["payouts:write"] }, partner, undefined)).toBe("forbidden");
    expect(checkAccess({ partner: ["payouts:write", "deposits:read"] }, partner, undefined)).toBe("allow");
    expect(checkAccess({ staff: ["viewer"] }, partner, undefined)).toBe("forbidden");
  });

  test("self compares the input's userId with the token's subject, exactly", () => {
    expect(checkAccess({ user: "self" }, user, { userId: "u1" })).toBe("allow");
    expect(checkAccess({ user: "self" }, user, { userId: "u2" })).toBe("forbidden");
    expect(checkAccess({ user: "self" }, user, {})).toBe("forbidden");
    expect(checkAccess({ user: "self" }, user, { userId: ["u1"] })).toBe("forbidden");
    expect(checkAccess({ staff: ["admin"] }, user, { userId: "u1" })).toBe("forbidden");
  });

  test("actors are named by kind", () => {
    expect(actorOf(viewer)).toBe("staff:s1");
    expect(actorOf(partner)).toBe("partner:k1");
    expect(actorOf(user)).toBe("user:u1");
  });
});

describe("the procedure builder enforces meta.access", () => {
  const testRouter = router({
    balance: procedure
      .meta({ access: { user: "self", staff: ["viewer"] } })
      // A default userId must never widen access: the rule reads the raw input.
      .input(z.object({ userId: z.string().default("u1") }))
      .query(({ input }) => input.userId),
    undeclared: procedure.input(z.void()).query(() => "ran"),
  });
  const caller = (principal: Principal | null) =>
    createCallerFactory(testRouter)({ principal, requestId: "r", ip: null, expectedMigrations: [], db: everythingOwnedDb() });

  async function codeOf(run: Promise<unknown>) {
    try {
      await run;
      return "OK";
    } catch (error) {
      return error instanceof TRPCError ? error.code : String(error);
    }
  }

  test("own data allowed, someone else's and omitted userId forbidden, none unauthorized", async () => {
    expect(await caller(user).balance({ userId: "u1" })).toBe("u1");
    expect(await codeOf(caller(user).balance({ userId: "u2" }))).toBe("FORBIDDEN");
    expect(await codeOf(caller(user).balance({}))).toBe("FORBIDDEN");
    expect(await codeOf(caller(null).balance({ userId: "u1" }))).toBe("UNAUTHORIZED");
    expect(await caller(viewer).balance({ userId: "u2" })).toBe("u2");
  });

  test("a procedure without an access rule never runs", async () => {
    expect(await codeOf(caller(viewer).undeclared())).toBe("INTERNAL_SERVER_ERROR");
  });
});
