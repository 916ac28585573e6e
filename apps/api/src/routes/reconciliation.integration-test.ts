import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestCredentials, type TestCredentials } from "../testing/credentials";
import { eventually, startPayoutHarness, type PayoutHarness } from "../testing/payouts-harness";

let database: TestDatabase;
let harness: PayoutHarness;
let credentials: TestCredentials;

beforeAll(async () => {
  database = await createTestDatabase();
  harness = await startPayoutHarness({ db: database.db, databaseUrl: database.url });
  await harness.startWorker();
  credentials = createTestCredentials({ fastify: harness.api, db: database.db });
});

afterAll(async () => {
  await harness?.stop();
  await database?.drop();
});

function multipart(fields: Record<string, string>, file: { name: string; bytes: Buffer }) {
  const boundary = "----agrinet-recon-boundary";
  const parts = Object.entries(fields).map(
    ([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  );
  const payload = Buffer.concat([
    ...parts,
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

async function upload(csv: string, role: "admin" | "operator" | "viewer" = "operator") {
  const body = multipart({ source: "mpesa" }, { name: "statement.csv", bytes: Buffer.from(csv) });
  return harness.api.inject({
    method: "POST",
    url: "/admin/reconciliation/statements",
    payload: body.payload,
    headers: { ...(await credentials.staff(role)), ...body.headers },
  });
}

async function commit(statementId: string) {
  return harness.api.inject({
    method: "POST",
    url: `/admin/reconciliation/statements/${statementId}/commit`,
    headers: { ...(await credentials.staff("operator")), "content-type": "application/json" },
    payload: {},
  });
}

async function openExceptions() {
  const response = await harness.api.inject({
    method: "GET",
    url: "/admin/reconciliation/exceptions?source=mpesa",
    headers: await credentials.staff("viewer"),
  });
  expect(response.statusCode).toBe(200);
  return (response.json() as { items: { kind: string; reference: string; statementAmount: string; ledgerAmount: string }[] }).items;
}

describe("reconciliation of the Daraja sandbox's statement (the issue's acceptance)", () => {
  test("after a payout run every paid payout matches; one changed amount is one amount mismatch naming its receipt; the original twice adds nothing", async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    await harness.fund("user_recon", 5_000_000n);
    const numbers = ["+254708374149", "+254711000001", "+254700000003", "+254700000004", "+255700123456", "+254700000001"];
    const payouts: { id: string }[] = [];
    for (const [i, account] of numbers.entries()) {
      payouts.push(
        await harness.caller().payouts.createPayout({
          userId: "user_recon",
          amount: 150_000 + i * 10_000,
          currency: "KES",
          destination: { type: "mpesa", account },
        }),
      );
    }
    await harness.caller().payouts.runPayouts({ currency: "KES" });
    const final = await eventually(
      () => Promise.all(payouts.map((p) => harness.caller().payouts.getPayout({ payoutId: p.id }))),
      (list) => list.every((p) => p.status === "paid" || p.status === "failed"),
    );
    const paid = final.filter((p) => p.status === "paid");
    expect(paid).toHaveLength(5);

    const statementUrl = `${harness.sandbox.url}/__sandbox/statement.csv?from=${encodeURIComponent(from)}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;
    const response = await fetch(statementUrl);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const original = await response.text();
    expect(original).toContain("Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance");

    // A viewer reads the queue but may not upload.
    expect((await upload(original, "viewer")).statusCode).toBe(403);

    const preview = await upload(original);
    expect(preview.statusCode).toBe(201);
    const previewBody = preview.json() as { id: string; status: string; rowsParsed: number; rowsNew: number; refusedRows: unknown[]; totals: { currency: string; moneyOut: string }[] };
    expect(previewBody).toMatchObject({ status: "preview", rowsParsed: 5, rowsNew: 5, refusedRows: [] });
    const paidTotal = paid.reduce((sum, p) => sum + BigInt(p.amount), 0n);
    expect(previewBody.totals).toEqual([{ currency: "KES", moneyIn: "0", moneyOut: String(paidTotal), rows: 5 }]);
    // Nothing is matched before the commit.
    expect(await openExceptions()).toEqual([]);

    const committed = await commit(previewBody.id);
    expect(committed.statusCode).toBe(200);
    expect(committed.json()).toMatchObject({ statement: { status: "committed", linesAdded: 5 }, run: { matched: 5, exceptionsNew: 0 } });
    expect(await openExceptions()).toEqual([]);
    const matchedReceipts = await database.db.$queryRaw<{ reference: string }[]>`
      select l.reference from reconciliation_lines l join reconciliation_matches m on m.line_id = l.id order by 1`;
    expect(matchedReceipts.map((r) => r.reference)).toEqual(paid.map((p) => p.providerReference).sort());

    // The same file with one amount changed.
    const receipt = paid[0]!.providerReference!;
    const shillings = (BigInt(paid[0]!.amount) / 100n).toString();
    const changed = original
      .split("\r\n")
      .map((line) => (line.startsWith(`${receipt},`) ? line.replace(`,-${shillings}.00,`, `,-${shillings}.01,`) : line))
      .join("\r\n");
    expect(changed).not.toBe(original);
    const changedPreview = (await upload(changed)).json() as { id: string; rowsNew: number };
    expect(changedPreview.rowsNew).toBe(1);
    expect((await commit(changedPreview.id)).statusCode).toBe(200);
    const exceptions = await openExceptions();
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({
      kind: "amount_mismatch",
      reference: receipt,
      ledgerAmount: `-${paid[0]!.amount}`,
      statementAmount: `-${BigInt(paid[0]!.amount) + 1n}`,
    });

    // The original, twice more: nothing new, the queue unchanged.
    for (let i = 0; i < 2; i += 1) {
      const again = (await upload(original)).json() as { id: string; rowsNew: number; rowsKnown: number };
      expect(again).toMatchObject({ rowsNew: 0, rowsKnown: 5 });
      const result = await commit(again.id);
      expect(result.json()).toMatchObject({ statement: { linesAdded: 0 }, run: { matched: 0, exceptionsNew: 0 } });
    }
    expect(await openExceptions()).toHaveLength(1);
    const lines = await database.db.$queryRaw<{ count: bigint }[]>`select count(*) from reconciliation_lines`;
    expect(Number(lines[0]!.count)).toBe(6);

    // Committing a committed statement again changes nothing either.
    expect((await commit(previewBody.id)).json()).toMatchObject({ statement: { linesAdded: 5 }, run: null });
  });
});

test("a malformed multipart upload answers 400 naming the body, not 500", async () => {
  const headers = await credentials.staff("operator");
  for (const payload of ['--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc', "garbage without any boundary"]) {
    const response = await harness.api.inject({
      method: "POST",
      url: "/admin/reconciliation/statements",
      headers: { ...headers, "content-type": "multipart/form-data; boundary=x" },
      payload,
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: "VALIDATION_FAILED", fields: [{ path: "(body)" }] } });
  }
});

test("a bank's saved date format reads its uploads (03/04/2026 is 4 March for MM/DD/YYYY); a format without a day answers 400 naming dateFormat", async () => {
  const headers = { ...(await credentials.staff("operator")), "content-type": "application/json" };
  const save = (dateFormat: string) =>
    harness.api.inject({
      method: "POST",
      url: "/api/v1/reconciliation/bank-mappings",
      headers,
      payload: { bank: "us-bank", currency: "KES", dateFormat, columns: { bookedAt: "Date", reference: "Ref", amount: "Amount" } },
    });
  const refused = await save("MM/YYYY");
  expect(refused.statusCode, refused.body).toBe(400);
  expect(refused.json()).toMatchObject({ error: { code: "VALIDATION_FAILED", fields: [{ path: "dateFormat" }] } });
  expect((await save("MM/DD/YYYY")).statusCode).toBe(200);

  const csv = ["Date,Ref,Amount", "03/04/2026,USB-1,100.00", "03/05/2026 09:30,USB-2,-20.00"].join("\n");
  const body = multipart({ source: "bank", bank: "us-bank" }, { name: "us-bank.csv", bytes: Buffer.from(csv) });
  const preview = await harness.api.inject({
    method: "POST",
    url: "/admin/reconciliation/statements",
    payload: body.payload,
    headers: { ...(await credentials.staff("operator")), ...body.headers },
  });
  expect(preview.statusCode, preview.body).toBe(201);
  // Midnight of 4 March and 09:30 of 5 March, East Africa Time.
  expect(preview.json()).toMatchObject({ rowsParsed: 2, refusedRows: [], periodFrom: "2026-03-03T21:00:00.000Z", periodTo: "2026-03-05T06:30:00.000Z" });
});
