import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { inPgTransaction } from "./client";
import { withPgClient } from "./migrations";
import { createTestDatabase, type TestDatabase } from "./testing";
import {
  booleanArrayLiteral,
  int8ArrayFromText,
  int8ArrayLiteral,
  queryTextRows,
  textArrayLiteral,
  timestamptzFromText,
} from "./text-rows-query";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

const echo = {
  name: "text-rows-echo",
  text: `select array_to_json($1::text[])::text as texts, $2::bigint[] as numbers, $3::boolean[]::text as flags,
                $4::text as plain, $5::text as missing, now() as at`,
};

test("parameters arrive as written and columns come back as PostgreSQL's text", async () => {
  const texts = ["plain", 'say "hi"', "back\\slash", "a,b", "{x}", " spaced ", "", "NULL", null, "ünï ✓ 𝄞"];
  const numbers = [-9_223_372_036_854_775_808n, 0n, 9_007_199_254_740_993n];
  const rows = await queryTextRows(database.db.$pool, {
    ...echo,
    values: [textArrayLiteral(texts), int8ArrayLiteral(numbers), booleanArrayLiteral([true, false]), "ünï", null],
  });
  expect(rows).toHaveLength(1);
  const [row] = rows;
  expect(JSON.parse(row![0]!)).toEqual(texts);
  expect(int8ArrayFromText(row![1]!)).toEqual(numbers);
  expect(row!.slice(2, 5)).toEqual(["{t,f}", "ünï", null]);
  // The same instant pg's own query path gives for the column.
  const viaPg = await database.db.$pool.query<{ at: Date }>("select $1::timestamptz as at", [row![5]]);
  expect(timestamptzFromText(row![5]!)).toEqual(viaPg.rows[0]!.at);
});

test("each connection parses the statement once; many rows, no rows, and concurrent calls", async () => {
  const series = { name: "text-rows-series", text: "select g::text, $1::text from generate_series(1, $2::int) g" };
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => queryTextRows(database.db.$pool, { ...series, values: [`call ${i}`, String(i % 4)] })),
  );
  results.forEach((rows, i) => {
    expect(rows).toEqual(Array.from({ length: i % 4 }, (_, g) => [String(g + 1), `call ${i}`]));
  });
  const { rows } = await database.db.$pool.query<{ statements: number }>(
    "select count(*)::int as statements from pg_prepared_statements where name = 'text-rows-series'",
  );
  expect(rows[0]!.statements).toBe(1);
});

test("a database error rejects with pg's error, and the connection keeps working", async () => {
  const divide = { name: "text-rows-divide", text: "select (1 / $1::int)::text" };
  await withPgClient(database.url, async (client) => {
    await expect(queryTextRows(client, { ...divide, values: ["0"] })).rejects.toMatchObject({
      code: "22012",
      message: "division by zero",
    });
    await expect(queryTextRows(client, { ...divide, values: ["1"] })).resolves.toEqual([["1"]]);
    await expect(client.query("select 2 as two")).resolves.toMatchObject({ rows: [{ two: 2 }] });
  });
  // Through the pool: the same error, then a good call.
  await expect(queryTextRows(database.db.$pool, { ...divide, values: ["0"] })).rejects.toBeInstanceOf(pg.DatabaseError);
  await expect(queryTextRows(database.db.$pool, { ...divide, values: ["2"] })).resolves.toEqual([["0"]]);
});

test("a statement that fails to parse is parsed again next time; one name cannot take another text", async () => {
  await withPgClient(database.url, async (client) => {
    const later = { name: "text-rows-later", text: "select count(*)::text from text_rows_later" };
    await expect(queryTextRows(client, { ...later, values: [] })).rejects.toMatchObject({ code: "42P01" });
    await client.query("create temp table text_rows_later (id int)");
    await expect(queryTextRows(client, { ...later, values: [] })).resolves.toEqual([["0"]]);
    await expect(queryTextRows(client, { name: later.name, text: "select 1", values: [] })).rejects.toThrow(
      /Prepared statements must be unique/,
    );
  });
});

test("runs inside a transaction on its client and rolls back with it", async () => {
  await withPgClient(database.url, (client) => client.query("create table text_rows_items (name text)"));
  const insert = { name: "text-rows-insert", text: "insert into text_rows_items values ($1) returning name" };
  await expect(
    inPgTransaction(database.db, async (client) => {
      expect(await queryTextRows(client, { ...insert, values: ["kept?"] })).toEqual([["kept?"]]);
      throw new Error("rolled back");
    }),
  ).rejects.toThrow("rolled back");
  await inPgTransaction(database.db, (client) => queryTextRows(client, { ...insert, values: ["kept"] }));
  const { rows } = await database.db.$pool.query("select name from text_rows_items");
  expect(rows).toEqual([{ name: "kept" }]);
});
