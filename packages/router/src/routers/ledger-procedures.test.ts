import { describe, expect, test } from "vitest";
import { appRouter } from "../root";
import { listTransactionsInput, listTransactionsOutput } from "./transactions/list-transactions";

type Procedure = { _def: { meta?: { access?: unknown } } };
const procedures = appRouter._def.procedures as unknown as Record<string, Procedure>;

describe("ledger procedures", () => {
  test("declare the access the issue asks for", () => {
    expect(procedures["transactions.list"]!._def.meta?.access).toEqual({
      staff: ["admin", "operator", "viewer"],
      partner: ["transactions:read"],
      user: "self",
    });
    expect(procedures["balances.getForUser"]!._def.meta?.access).toMatchObject({ user: "self" });
    expect(procedures["balances.getForAccount"]!._def.meta?.access).toBeDefined();
    expect(procedures["ledger.verify"]!._def.meta?.access).toEqual({ staff: ["admin"] });
  });

  test("transaction list input names the bad field and output carries amounts as strings", () => {
    const bad = listTransactionsInput.safeParse({ userId: "u1", currency: "XYZ", limit: 500 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join("."))).toEqual(["currency", "limit"]);
    const output = listTransactionsOutput.parse({
      items: [
        {
          id: 7n,
          idempotencyKey: "k",
          kind: "deposit",
          metadata: {},
          contractId: null,
          createdAt: new Date("2026-01-01T00:00:00Z"),
          postings: [{ id: 1n, account: "user:u1:wallet:KES", amount: 9_007_199_254_740_993n, currency: "KES", balanceAfter: 5n }],
        },
      ],
      nextCursor: null,
    });
    expect(output.items[0]).toMatchObject({
      id: "7",
      createdAt: "2026-01-01T00:00:00.000Z",
      postings: [{ id: "1", amount: "9007199254740993", balanceAfter: "5" }],
    });
  });

  test("the dashboard's ledger and rating views are staff-only reads", () => {
    for (const path of ["ledger.listAccountHistory", "ledger.getBalanceAt", "ledger.listAccounts", "ratings.listForContract"]) {
      expect(procedures[path]!._def.meta?.access, path).toEqual({ staff: ["admin", "operator", "viewer"] });
    }
  });
});
