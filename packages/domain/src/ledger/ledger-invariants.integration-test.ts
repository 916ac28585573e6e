// The database itself refuses a broken ledger, whoever writes to it: these tests go around the
// domain functions with plain SQL.
import { withPgClient } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { externalAccount, postLedgerTransaction, userWalletAccount } from "./index";

let database: TestDatabase;
let transactionId: bigint;
let walletId: bigint;
let clearingId: bigint;

beforeAll(async () => {
  database = await createTestDatabase();
  const posted = await postLedgerTransaction(database.db, {
    idempotencyKey: "seed",
    kind: "deposit",
    postings: [
      { account: externalAccount("bank", "KES"), amount: -1_000n, currency: "KES" },
      { account: userWalletAccount("sql", "KES"), amount: 1_000n, currency: "KES" },
    ],
  });
  transactionId = posted.id;
  clearingId = posted.postings[0]!.accountId;
  walletId = posted.postings[1]!.accountId;
});
afterAll(async () => {
  await database?.drop();
});

const sql = (text: string, values: unknown[] = []) =>
  withPgClient(database.url, (client) => client.query(text, values));

async function sqlError(text: string, values: unknown[] = []) {
  try {
    await sql(text, values);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error(`expected the database to refuse: ${text}`);
}

async function insertTransaction(client: { query: typeof sql }, key: string) {
  const { rows } = await client.query(
    "insert into ledger_transactions (idempotency_key, kind, request_hash) values ($1, 'adjustment', 'x') returning id",
    [key],
  );
  return rows[0].id as string;
}

test("an unbalanced transaction is refused at commit", async () => {
  const error = await withPgClient(database.url, async (client) => {
    await client.query("begin");
    const id = await insertTransaction({ query: (t, v) => client.query(t, v) }, "unbalanced");
    await client.query(
      `insert into ledger_postings (transaction_id, account_id, amount, currency, balance_after, account_version)
       values ($1, $2, -10, 'KES', 0, 1000), ($1, $3, 9, 'KES', 0, 1000)`,
      [id, clearingId, walletId],
    );
    return client.query("commit").then(
      () => null,
      (e: { code: string; message: string }) => e,
    );
  });
  expect(error).toMatchObject({ code: "LG002" });
  expect(error!.message).toMatch(/does not balance/);
  const { rows } = await sql("select count(*)::int as n from ledger_transactions where idempotency_key = 'unbalanced'");
  expect(rows[0].n).toBe(0);
});

test("a balanced transaction written by hand commits (the check is per currency, at commit)", async () => {
  await withPgClient(database.url, async (client) => {
    await client.query("begin");
    const id = await insertTransaction({ query: (t, v) => client.query(t, v) }, "balanced-by-hand");
    for (const [account, amount] of [[clearingId, -10], [walletId, 10]] as const) {
      await client.query(
        `insert into ledger_postings (transaction_id, account_id, amount, currency, balance_after, account_version)
         values ($1, $2, $3, 'KES', 0, $4)`,
        [id, account, amount, 2000 + amount],
      );
    }
    await client.query("commit");
  });
});

test("one statement writing two transactions, one of them unbalanced, is refused at commit", async () => {
  const error = await withPgClient(database.url, async (client) => {
    await client.query("begin");
    const query = { query: (t: string, v?: unknown[]) => client.query(t, v) } as { query: typeof sql };
    const balanced = await insertTransaction(query, "statement-balanced");
    const unbalanced = await insertTransaction(query, "statement-unbalanced");
    await client.query(
      `insert into ledger_postings (transaction_id, account_id, amount, currency, balance_after, account_version)
       values ($1, $3, -10, 'KES', 0, 4000), ($1, $4, 10, 'KES', 0, 4000),
              ($2, $3, -10, 'KES', 0, 4001), ($2, $4, 11, 'KES', 0, 4001)`,
      [balanced, unbalanced, clearingId, walletId],
    );
    return client.query("commit").then(
      () => null,
      (e: { code: string; message: string }) => e,
    );
  });
  expect(error).toMatchObject({ code: "LG002" });
  expect(error!.message).toMatch(/does not balance/);
  const { rows } = await sql(
    "select count(*)::int as n from ledger_transactions where idempotency_key like 'statement-%'",
  );
  expect(rows[0].n).toBe(0);
});

test("postings added to an existing balanced transaction must keep it balanced", async () => {
  const error = await withPgClient(database.url, async (client) => {
    await client.query("begin");
    await client.query(
      `insert into ledger_postings (transaction_id, account_id, amount, currency, balance_after, account_version)
       values ($1, $2, 5, 'KES', 0, 5000)`,
      [transactionId, walletId],
    );
    return client.query("commit").then(
      () => null,
      (e: { code: string; message: string }) => e,
    );
  });
  expect(error).toMatchObject({ code: "LG002" });
  const { rows } = await sql("select count(*)::int as n from ledger_postings where transaction_id = $1", [transactionId]);
  expect(rows[0].n).toBe(2);
});

test("transactions checked at commit leave nothing queued behind", async () => {
  const { rows } = await sql("select count(*)::int as n from ledger_balance_checks");
  expect(rows[0].n).toBe(0);
});

/** Calls ledger_post_transaction directly: the seed's bank clearing account pays the wallet. */
function postBySql(client: { query: typeof sql }, key: string, amount: number) {
  const codes = [externalAccount("bank", "KES"), userWalletAccount("sql", "KES")];
  return client.query(
    `select * from ledger_post_transaction($1, 'transfer', '{}', null, 'hash', $2::text[], $3::bigint[], $4::text[],
       array['external', 'user'], array['bank', 'sql'], array['clearing', 'wallet'], array[true, false])`,
    [key, codes, [-amount, amount], ["KES", "KES"]],
  );
}

test("ledger_post_transaction's own insert is not checked again by the statement trigger; the next direct insert in the same transaction is", async () => {
  const error = await withPgClient(database.url, async (client) => {
    const query = { query: (t: string, v?: unknown[]) => client.query(t, v) } as { query: typeof sql };
    const triggerCalls = async () => {
      const { rows } = await client.query(
        "select coalesce(pg_stat_get_xact_function_calls('ledger_check_statement_balanced'::regproc), 0)::int as n",
      );
      return rows[0].n as number;
    };
    await client.query("begin");
    await client.query("set local track_functions = 'pl'");
    const { rows } = await postBySql(query, "checked-by-function", 7);
    expect(await triggerCalls()).toBe(0);
    await client.query(
      `insert into ledger_postings (transaction_id, account_id, amount, currency, balance_after, account_version)
       values ($1, $2, 5, 'KES', 0, 6000)`,
      [rows[0].transaction_id, walletId],
    );
    expect(await triggerCalls()).toBe(1);
    return client.query("commit").then(
      () => null,
      (e: { code: string; message: string }) => e,
    );
  });
  expect(error).toMatchObject({ code: "LG002" });
  const { rows } = await sql("select count(*)::int as n from ledger_transactions where idempotency_key = 'checked-by-function'");
  expect(rows[0].n).toBe(0);
});

test("ledger_post_transaction refuses a posting in another currency than its account's", async () => {
  const error = await sqlError(
    `select * from ledger_post_transaction('other-currency', 'transfer', '{}', null, 'hash', $1::text[],
       array[-5, 5]::bigint[], array['USD', 'USD'], array['external', 'user'], array['bank', 'sql'],
       array['clearing', 'wallet'], array[true, false])`,
    [[externalAccount("bank", "KES"), userWalletAccount("sql", "KES")]],
  );
  expect(error).toMatchObject({ code: "23503" });
  const { rows } = await sql("select count(*)::int as n from ledger_transactions where idempotency_key = 'other-currency'");
  expect(rows[0].n).toBe(0);
});

test("ledger_post_batch refuses a posting in another currency than its account's, set-based or item by item, without the postings trigger", async () => {
  // Two items: a good KES transfer and one whose postings say USD on KES accounts. With `taken`,
  // the good item's key is already used, so the batch goes item by item (a replay, then the bad one).
  const batch = (keys: [string, string]) =>
    withPgClient(database.url, async (client) => {
      await client.query("begin");
      await client.query("set local track_functions = 'pl'");
      const outcome = await client
        .query(
          `select * from ledger_post_batch($1::text[], array['transfer', 'transfer'], array['{}', '{}']::jsonb[],
             array[null, null]::text[], array['hash', 'hash'], array[1, 3, 5], $2::text[], array[-5, 5, -5, 5]::bigint[],
             $3::text[], array['external', 'user', 'external', 'user'], array['bank', 'sql', 'bank', 'sql'],
             array['clearing', 'wallet', 'clearing', 'wallet'], array[true, false, true, false])`,
          [
            keys,
            [externalAccount("bank", "KES"), userWalletAccount("sql", "KES"), externalAccount("bank", "KES"), userWalletAccount("sql", "KES")],
            ["KES", "KES", ...(keys[1].includes("bad") ? ["USD", "USD"] : ["KES", "KES"])],
          ],
        )
        .then((result) => result.rows.map((row: { status: string }) => row.status), (error: { code: string }) => error);
      if (!Array.isArray(outcome)) {
        await client.query("rollback");
        return { outcome, triggerCalls: null };
      }
      const { rows } = await client.query(
        "select coalesce(pg_stat_get_xact_function_calls('ledger_check_statement_balanced'::regproc), 0)::int as n",
      );
      await client.query("commit");
      return { outcome, triggerCalls: rows[0].n as number };
    });
  const posted = await batch(["batch-good-1", "batch-good-2"]);
  expect(posted.outcome).toEqual(["posted", "posted"]);
  expect(posted.triggerCalls).toBe(0);
  expect(await batch(["batch-good-3", "batch-bad-1"])).toMatchObject({ outcome: { code: "23503" } });
  expect(await batch(["batch-good-1", "batch-bad-2"])).toMatchObject({ outcome: { code: "23503" } });
  const { rows } = await sql("select count(*)::int as n from ledger_transactions where idempotency_key like 'batch-%'");
  expect(rows[0].n).toBe(2);
});

test("postings and transactions can't be updated, deleted or truncated", async () => {
  expect(await sqlError("update ledger_postings set amount = amount * 2 where transaction_id = $1", [transactionId]))
    .toMatchObject({ code: "LG001" });
  expect(await sqlError("delete from ledger_postings where transaction_id = $1", [transactionId]))
    .toMatchObject({ code: "LG001" });
  expect(await sqlError("truncate ledger_postings cascade")).toMatchObject({ code: "LG001" });
  expect(await sqlError("update ledger_transactions set kind = 'refund' where id = $1", [transactionId]))
    .toMatchObject({ code: "LG001" });
  expect(await sqlError("delete from ledger_transactions where id = $1", [transactionId]))
    .toMatchObject({ code: "LG001" });
  expect(await sqlError("update ledger_accounts set allow_negative = true where id = $1", [walletId]))
    .toMatchObject({ code: "LG001" });
  expect(await sqlError("truncate ledger_accounts cascade")).toMatchObject({ code: "LG001" });
  const { rows } = await sql("select amount from ledger_postings where transaction_id = $1 order by id", [transactionId]);
  expect(rows.map((r) => r.amount)).toEqual(["-1000", "1000"]);
});

test("zero amounts and a posting currency other than the account's are refused", async () => {
  const zero = await withPgClient(database.url, async (client) => {
    await client.query("begin");
    const id = await insertTransaction({ query: (t, v) => client.query(t, v) }, "zero");
    return client
      .query(
        `insert into ledger_postings (transaction_id, account_id, amount, currency, balance_after, account_version)
         values ($1, $2, 0, 'KES', 0, 3000)`,
        [id, walletId],
      )
      .then(() => null, (e: { code: string }) => e);
  });
  expect(zero).toMatchObject({ code: "23514" });

  const currency = await withPgClient(database.url, async (client) => {
    await client.query("begin");
    const id = await insertTransaction({ query: (t, v) => client.query(t, v) }, "wrong-currency");
    return client
      .query(
        `insert into ledger_postings (transaction_id, account_id, amount, currency, balance_after, account_version)
         values ($1, $2, 5, 'USD', 0, 3001), ($1, $2, -5, 'USD', 0, 3002)`,
        [id, walletId],
      )
      .then(() => null, (e: { code: string }) => e);
  });
  expect(currency).toMatchObject({ code: "23503" });

  const noAccount = await sqlError(
    `insert into ledger_postings (transaction_id, account_id, amount, currency, balance_after, account_version)
     values ($1, $2, 5, 'KES', 0, 1), ($1, $3, -5, 'KES', 0, 3003)`,
    [transactionId, 999_999, walletId],
  );
  expect(noAccount).toMatchObject({ code: "23503" });
});

test("a posting naming a transaction that does not exist is refused", async () => {
  const error = await sqlError(
    `insert into ledger_postings (transaction_id, account_id, amount, currency, balance_after, account_version)
     values ($1, $2, 5, 'KES', 0, 3004), ($1, $2, -5, 'KES', 0, 3005)`,
    [999_999, walletId],
  );
  expect(error).toMatchObject({ code: "23503" });
});

test("an account that may not go negative can't have a negative available balance", async () => {
  expect(await sqlError("update ledger_balances set posted = -1 where account_id = $1", [walletId]))
    .toMatchObject({ code: "23514" });
  expect(await sqlError("update ledger_balances set held = posted + 1 where account_id = $1", [walletId]))
    .toMatchObject({ code: "23514" });
  // the clearing account mirrors money outside and may
  await sql("update ledger_balances set posted = posted where account_id = $1", [clearingId]);
  const { rows } = await sql("select posted from ledger_balances where account_id = $1", [clearingId]);
  expect(BigInt(rows[0].posted)).toBeLessThan(0n);
});
