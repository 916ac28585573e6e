// The baseline every throughput goal is a ratio of: a double-entry transfer written directly in
// SQL on minimal tables (lock two balance rows in id order, one transfer row, two entries, two
// balance updates, one commit), measured in the same run as the figure it judges. Shared by
// bench/ledger.bench.ts and bench/payouts.bench.ts so both divide by the same thing.
import { randomInt } from "node:crypto";
import pg from "pg";
import { withPgClient } from "@agrinet/db/migrate";

/** 1,000 accounts (ids 1..1000) and 10 hot ones (10001..10010), each with a large balance. */
export async function setupRawTables(url: string) {
  await withPgClient(url, (c) => c.query(`
    create schema bench_raw;
    create table bench_raw.accounts (id bigint primary key, balance bigint not null);
    create table bench_raw.transfers (id bigserial primary key, created_at timestamptz not null default now());
    create table bench_raw.entries (id bigserial primary key, transfer_id bigint not null,
                                    account_id bigint not null, amount bigint not null);
    insert into bench_raw.accounts select g, 1000000000 from generate_series(1, 1000) g;
    insert into bench_raw.accounts select g, 1000000000 from generate_series(10001, 10010) g;`));
}

export const rawWideIds = Array.from({ length: 1_000 }, (_, i) => i + 1);
export const rawHotIds = Array.from({ length: 10 }, (_, i) => 10_001 + i);

/** Two different indexes below n. */
export function pair(n: number): [number, number] {
  const from = randomInt(n);
  return [from, (from + 1 + randomInt(n - 1)) % n];
}

/** One transfer between two random accounts of `rawIds`, as one simple-protocol round trip. */
export function rawTransferSql(rawIds: number[]): string {
  const [i, j] = pair(rawIds.length);
  const from = rawIds[i]!;
  const to = rawIds[j]!;
  const amount = 1 + randomInt(100);
  const [low, high] = from < to ? [from, to] : [to, from];
  return `begin;
    select balance from bench_raw.accounts where id in (${low}, ${high}) order by id for update;
    with t as (insert into bench_raw.transfers default values returning id)
    insert into bench_raw.entries (transfer_id, account_id, amount)
      select id, ${from}, ${-amount} from t union all select id, ${to}, ${amount} from t;
    update bench_raw.accounts set balance = balance - ${amount} where id = ${from};
    update bench_raw.accounts set balance = balance + ${amount} where id = ${to};
    commit;`;
}

/**
 * Raw SQL transfers per second over `clients` connections on the 1,000 accounts, after a
 * second of warm-up, in a database of its own (`url`, created empty by the caller).
 */
export async function measureRawTransferRate(url: string, options: { clients: number; seconds: number }): Promise<number> {
  await setupRawTables(url);
  const clients = await Promise.all(
    Array.from({ length: options.clients }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  try {
    const run = async (until: number) => {
      let done = 0;
      await Promise.all(clients.map(async (client) => {
        while (Date.now() < until) {
          await client.query(rawTransferSql(rawWideIds));
          done += 1;
        }
      }));
      return done;
    };
    await run(Date.now() + 1_000);
    const started = performance.now();
    const done = await run(Date.now() + options.seconds * 1_000);
    return done / ((performance.now() - started) / 1_000);
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}
