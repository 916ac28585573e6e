// `pnpm bench`: ledger throughput and latency on a throwaway embedded PostgreSQL with full
// durability (fsync and synchronous commit on), so the figures mean something.
//
// Throughput, 16 concurrent clients, over 1,000 accounts and over 10 hot accounts:
//   raw SQL baseline  a transfer written directly in SQL on minimal tables: lock two balance rows
//                     in order, insert the transfer and two postings, update two balances; sent as
//                     one round trip (the cheapest way to send it)
//   single            postLedgerTransaction on the client (the store sends it through the client's
//                     pg pool: no Prisma query cost), one transfer per commit
//   batch             postLedgerTransactionsBatch, many transfers per database transaction; the 16
//                     clients' concurrent batches share database transactions (group commit)
// Round trip of `select 1` through the Prisma client vs a plain pg pool: what the single path
// pays on the client side before the database does anything.
// Scale (one client, p50 and p99): transfer latency and every list the dashboard and the API page
// through: transactions (listLedgerTransactions: one user's first and deepest keyset page, the
// staff list's), one account's history (listAccountHistory: first and deepest page), deposits
// (listDeposits: staff, one user) and payouts (listPayouts: staff, one user, one partner), on an
// almost empty ledger and at BENCH_POSTINGS postings (10,000,000; BENCH_QUICK: 50,000) with one
// deposit and one payout per 10 postings, all generated set-based in SQL (generate_series).
// Figures go through reportFigures (groups "ledger" and "scale"); `pnpm bench` collects them.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createDb, type Db } from "@agrinet/db";
import { startEmbeddedPostgres } from "@agrinet/db/embedded";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import {
  externalAccount,
  listAccountHistory,
  listDeposits,
  listLedgerTransactions,
  listPayouts,
  type ListPayoutsOptions,
  postLedgerTransaction,
  postLedgerTransactionsBatch,
  userWalletAccount,
  verifyLedger,
  type PostLedgerTransactionInput,
} from "@agrinet/domain";
import { quantile, reportFigures, type BenchFigure } from "./figures";
import { pair, rawHotIds, rawTransferSql, rawWideIds, setupRawTables } from "./raw-transfer";
import { machineLoad } from "./machine-load";
import { postmasterPid, processTreeCpuSeconds } from "./process-cpu";

const clients = 16;
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const batchSize = Number(process.env.BENCH_BATCH_SIZE ?? 200);
const targetPostings = Number(process.env.BENCH_POSTINGS ?? (process.env.BENCH_QUICK ? 50_000 : 10_000_000));
/** Deposits and payouts generated beside the postings: one of each per this many postings. */
const postingsPerRecord = 10;
// The scale goal holds p99 too, and a p99 of 200 calls is the second slowest call: on a quiet
// machine (2026-12-08) 400 transfers and 200 pages put the loaded ledger's p99 at 0.63–1.85× the
// empty one's for operations whose p50 were within 15% of it, both ways at random; 4,000 and 2,000
// at 0.64–1.06×. It adds ~80 s to the scale part.
const latencySamples = Number(process.env.BENCH_LATENCY_SAMPLES ?? (process.env.BENCH_QUICK ? 400 : 4_000));
const pageSamples = Math.max(50, Math.round(latencySamples / 2));

type Pool = { accounts: string[]; rawIds: number[] };
const wide: Pool = {
  accounts: Array.from({ length: 1_000 }, (_, i) => userWalletAccount(`bench_${i}`, "KES")),
  rawIds: rawWideIds,
};
const hot: Pool = {
  accounts: Array.from({ length: 10 }, (_, i) => userWalletAccount(`hot_${i}`, "KES")),
  rawIds: rawHotIds,
};

const randomInt = (n: number) => Math.floor(Math.random() * n);
let keySequence = 0;
function transfer(pool: Pool): PostLedgerTransactionInput {
  const [from, to] = pair(pool.accounts.length);
  const amount = BigInt(1 + randomInt(100));
  return {
    idempotencyKey: `bench-${process.pid}-${++keySequence}`,
    kind: "transfer",
    postings: [
      { account: pool.accounts[from]!, amount: -amount, currency: "KES" },
      { account: pool.accounts[to]!, amount, currency: "KES" },
    ],
  };
}

/**
 * Throughput and CPU µs per transfer of this process (the client side: validation, encoding,
 * pg, promises) and of PostgreSQL (postmaster and its children) over the measured window. On a
 * shared machine the CPU per transfer holds steadier than the rate.
 */
type Measured = { rate: number; benchCpuUs: number; postgresCpuUs: number };

let postgresCpu: () => number = () => 0;

/** Runs `clients` loops for `seconds`; each call of `step` reports how many transfers it did. */
async function measure(step: (client: number) => Promise<number>): Promise<Measured> {
  const warmupEnd = Date.now() + 1_000;
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    while (Date.now() < warmupEnd) await step(c);
  }));
  let done = 0;
  const cpuBefore = process.cpuUsage();
  const postgresBefore = postgresCpu();
  const start = performance.now();
  const end = Date.now() + seconds * 1_000;
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    while (Date.now() < end) {
      // Not `done += await step(c)`: that reads `done` before the await, and 16 loops writing
      // back their stale copies lost ~15 of every 16 counts (the table showed ~1/16 of the rate).
      const completed = await step(c);
      done += completed;
    }
  }));
  const elapsed = (performance.now() - start) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  const postgresSeconds = postgresCpu() - postgresBefore;
  const perTransfer = (us: number) => Math.round(us / Math.max(done, 1));
  return {
    rate: done / elapsed,
    benchCpuUs: perTransfer(cpu.user + cpu.system),
    postgresCpuUs: perTransfer(postgresSeconds * 1e6),
  };
}

const describeCpu = (m: Measured) => `CPU µs/transfer: bench ${m.benchCpuUs}, PostgreSQL ${m.postgresCpuUs}`;

async function fund(db: Db, pool: Pool) {
  for (let i = 0; i < pool.accounts.length; i += 500) {
    const results = await postLedgerTransactionsBatch(db, pool.accounts.slice(i, i + 500).map((account) => ({
      idempotencyKey: `fund-${account}`,
      kind: "deposit",
      postings: [
        { account: externalAccount("bank", "KES"), amount: -1_000_000_000n, currency: "KES" },
        { account, amount: 1_000_000_000n, currency: "KES" },
      ],
    })));
    if (results.some((r) => !r.ok)) throw new Error("funding failed");
  }
}

type Timing = { p50Ms: number; p99Ms: number; meanMs: number };

function timing(times: number[]): Timing {
  times.sort((a, b) => a - b);
  return { p50Ms: round(quantile(times, 0.5), 3), p99Ms: round(quantile(times, 0.99), 3), meanMs: round(times.reduce((a, b) => a + b, 0) / times.length, 3) };
}

/** Runs `operation` one call at a time: `warmup` unmeasured calls, then `samples` timed ones. */
async function timed(samples: number, warmup: number, operation: () => Promise<unknown>): Promise<Timing> {
  const times: number[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    const start = performance.now();
    await operation();
    if (i >= warmup) times.push(performance.now() - start);
  }
  return timing(times);
}

/**
 * The same operation on the empty ledger and on the loaded one, one call of each in turn: on a
 * shared machine, load that comes and goes then slows both alike, and the ratio of the two is
 * the cost of the ledger's size rather than of the minute each was measured in.
 */
async function timedPair(samples: number, warmup: number, empty: () => Promise<unknown>, loaded: () => Promise<unknown>) {
  const times = { empty: [] as number[], loaded: [] as number[] };
  for (let i = 0; i < warmup + samples; i++) {
    for (const [side, operation] of [["empty", empty], ["loaded", loaded]] as const) {
      const start = performance.now();
      await operation();
      if (i >= warmup) times[side].push(performance.now() - start);
    }
  }
  return { empty: timing(times.empty), loaded: timing(times.loaded) };
}

/** The user whose transaction pages are timed; one of the 1,000 accounts the bulk load spreads over. */
const pageUser = "bench_0";

/** Gives the page user a few pages of history on the empty ledger, so its pages are full ones. */
async function seedPageUserHistory(db: Db) {
  const results = await postLedgerTransactionsBatch(db, Array.from({ length: 200 }, (_, i) => ({
    idempotencyKey: `page-history-${i}`,
    kind: "transfer" as const,
    postings: [
      { account: wide.accounts[i % 2]!, amount: -1n, currency: "KES" as const },
      { account: wide.accounts[1 - (i % 2)]!, amount: 1n, currency: "KES" as const },
    ],
  })));
  if (results.some((r) => !r.ok)) throw new Error("page history failed");
}

/**
 * Deposits and payouts numbered `first` to `first + count - 1`, written set-based in SQL as the
 * dashboard's lists meet them: over `users` of the 1,000 bench users (bench_0, bench_1, ...), the
 * default partner's, one in three deposits by M-Pesa, payouts to a phone each producer keeps, half
 * of them paid. `ageSeconds` > 0 dates them that far back and earlier (the history the lists page
 * through); 0 dates them now.
 */
async function loadRecords(url: string, options: { first: number; count: number; users: number; ageSeconds: number }) {
  await withPgClient(url, (c) => withIndexesRebuilt(c, ["deposits", "payouts"], async () => {
    const values = [options.first, options.first + options.count - 1, options.users, options.ageSeconds, options.count];
    await c.query(
      `insert into deposits (partner_id, id, user_id, amount, currency, method, reference, status, created_at)
       select 'partner_default', 'dep_bench_' || i, 'bench_' || (i % $3::int), 100 * (1 + (i::bigint * 7919) % 50000),
              'KES', (case when i % 3 = 0 then 'mpesa' else 'bank' end)::deposit_method, 'dref_' || i, 'pending',
              now() - make_interval(secs => $4::int + ($2::int - i) * $4::float8 / $5::int)
       from generate_series($1::int, $2::int) as i`,
      values,
    );
    await c.query(
      `insert into payouts (partner_id, id, user_id, amount, currency, destination_type, destination, reference, request_hash,
                            status, provider_reference, paid_at, created_at)
       select 'partner_default', 'po_bench_' || i, 'bench_' || (i % $3::int), 100 * (1 + (i::bigint * 104729) % 50000),
              'KES', 'mpesa', jsonb_build_object('type', 'mpesa', 'account', '+254' || (700000000 + i % $3::int)),
              'pref_' || i, 'bench', case when i % 2 = 0 then 'paid' else 'queued' end,
              case when i % 2 = 0 then 'B2C' || i end, case when i % 2 = 0 then now() end,
              now() - make_interval(secs => $4::int + ($2::int - i) * $4::float8 / $5::int)
       from generate_series($1::int, $2::int) as i`,
      values,
    );
  }));
}

/**
 * Cursors of the deepest full pages: the user's and the staff list's 51st oldest transaction, so
 * the page after them holds the 50 oldest (as deep as keyset pagination goes).
 */
async function deepCursors(url: string): Promise<{ user: string; staff: string }> {
  return withPgClient(url, async (c) => {
    const user = await c.query(
      `select p.transaction_id::text as id from ledger_postings p join ledger_accounts a on a.id = p.account_id
       where a.owner_type = 'user' and a.owner_id = $1 group by p.transaction_id order by p.transaction_id offset 50 limit 1`,
      [pageUser],
    );
    const staff = await c.query("select id::text from ledger_transactions order by id offset 50 limit 1");
    return { user: user.rows[0].id as string, staff: staff.rows[0].id as string };
  });
}

/** What the scale figures time, in the order they are printed: a transfer and every list. */
const scaleOperationNames = [
  "transfer latency",
  "transactions page, one user, first",
  "transactions page, one user, deepest",
  "transactions page, staff list, first",
  "transactions page, staff list, deepest",
  "account history, first page",
  "account history, deepest page",
  "deposits, staff list",
  "deposits, one user",
  "payouts, staff list",
  "payouts, one user",
  "payouts, one partner",
] as const;
type ScaleOperationName = (typeof scaleOperationNames)[number];

/** The timed operations on one ledger (each list's pages must be full ones). */
async function scaleOperations(db: Db, url: string): Promise<Record<ScaleOperationName, () => Promise<unknown>>> {
  const cursors = await deepCursors(url);
  const full = (what: string, items: unknown[]) => {
    if (items.length !== 50) throw new Error(`${what}: expected a full page, got ${items.length} items`);
  };
  const page = async (input: Parameters<typeof listLedgerTransactions>[1]) => full("transactions", (await listLedgerTransactions(db, input)).items);
  const history = async (cursor?: string) =>
    full("account history", (await listAccountHistory(db, { account: wide.accounts[0]!, ...(cursor ? { cursor } : {}) })).items);
  const deposits = async (filter: Partial<Parameters<typeof listDeposits>[0]["filter"]>) =>
    full("deposits", (await listDeposits({ db, filter: { limit: 50, ...filter } })).items);
  const payouts = async (filters: ListPayoutsOptions["filters"]) => full("payouts", (await listPayouts({ db, filters, limit: 50 })).items);
  return {
    "transfer latency": () => postLedgerTransaction(db, transfer(wide)),
    "transactions page, one user, first": () => page({ userId: pageUser }),
    "transactions page, one user, deepest": () => page({ userId: pageUser, cursor: cursors.user }),
    "transactions page, staff list, first": () => page({}),
    "transactions page, staff list, deepest": () => page({ cursor: cursors.staff }),
    "account history, first page": () => history(),
    // versions below 51: the account's 50 oldest postings
    "account history, deepest page": () => history("51"),
    "deposits, staff list": () => deposits({}),
    "deposits, one user": () => deposits({ userId: pageUser }),
    "payouts, staff list": () => payouts({}),
    "payouts, one user": () => payouts({ userId: pageUser }),
    "payouts, one partner": () => payouts({ partnerId: "partner_default" }),
  };
}

async function userTransactionCount(url: string): Promise<number> {
  return withPgClient(url, async (c) => {
    const { rows } = await c.query(
      `select count(distinct p.transaction_id)::int as n from ledger_postings p join ledger_accounts a on a.id = p.account_id
       where a.owner_type = 'user' and a.owner_id = $1`,
      [pageUser],
    );
    return rows[0].n as number;
  });
}

/** One `select 1` at a time through the Prisma client and through a plain pg pool. */
async function roundTrips(db: Db, pool: pg.Pool): Promise<{ prisma: Timing; pg: Timing }> {
  return {
    prisma: await timed(latencySamples, 50, () => db.$queryRaw`select 1`),
    pg: await timed(latencySamples, 50, () => pool.query("select 1")),
  };
}

/**
 * Runs `load` in one transaction with the secondary indexes of `tables` dropped, then builds
 * them again from their own definitions: a bulk insert into indexes on random keys (an account,
 * an amount, a phone) touches pages all over them, while an index built from sorted input
 * costs a small part of that.
 */
async function withIndexesRebuilt(c: pg.Client, tables: string[], load: () => Promise<void>) {
  await c.query("begin");
  await c.query("set local work_mem = '256MB'");
  await c.query("set local maintenance_work_mem = '512MB'");
  const { rows: indexes } = await c.query<{ name: string; definition: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
     from pg_index i where i.indrelid = any($1::regclass[]) and not i.indisprimary`,
    [tables],
  );
  for (const index of indexes) await c.query(`drop index ${index.name}`);
  await load();
  for (const index of indexes) await c.query(index.definition);
  await c.query("commit");
}

/** Postings generated per statement: each chunk's sorts stay in memory (work_mem below). */
const loadChunkPostings = 1_000_000;

/**
 * Brings the ledger to `target` postings quickly: balanced transfers between the 1,000 funded
 * accounts written set-based in SQL (generate_series), with running balances and balances
 * updated exactly as the posting function would (ledger:verify checks them at the end), in
 * chunks of a million postings (each chunk's sorts in memory), in one transaction with the
 * secondary indexes built afterwards (withIndexesRebuilt: inserted row by row in transaction
 * order, 10,000,000 postings had not finished after 15 minutes at load ~45). Triggers are
 * skipped for the load only (session_replication_role), which is why the result is verified
 * afterwards.
 */
async function loadPostings(url: string, target: number): Promise<number> {
  return withPgClient(url, async (c) => {
    const { rows } = await c.query("select count(*)::bigint as n from ledger_postings");
    let missing = target - Number(rows[0].n);
    if (missing <= 0) return Number(rows[0].n);
    await withIndexesRebuilt(c, ["ledger_postings", "ledger_transactions"], async () => {
      await c.query("set local session_replication_role = replica");
      const { rows: ids } = await c.query(
        `select min(id)::bigint as first from ledger_accounts where code like 'user:bench\\_%'`,
      );
      const first = Number(ids[0].first);
      while (missing > 0) {
        const transfers = Math.ceil(Math.min(missing, loadChunkPostings) / 2);
        await c.query(
          `create temp table load_transfers on commit drop as
           select nextval('ledger_transactions_id_seq') as id, (random() * 999)::int as a,
                  (random() * 998)::int as b, 1 + (random() * 99)::int as amount
           from generate_series(1, $1)`,
          [transfers],
        );
        await c.query(
          `create temp table load_moves on commit drop as
           select id as transaction_id, $1 + a as account_id, -amount::bigint as amount, 1 as leg from load_transfers
           union all
           select id, $1 + (a + 1 + b) % 1000, amount::bigint, 2 from load_transfers`,
          [first],
        );
        await c.query(
          `insert into ledger_transactions (id, idempotency_key, kind, metadata, request_hash, created_at)
           select id, 'load-' || id, 'transfer', '{}'::jsonb, 'load', now() from load_transfers order by id`,
        );
        await c.query(
          `insert into ledger_postings (transaction_id, account_id, amount, currency, balance_after, account_version, created_at)
           select m.transaction_id, m.account_id, m.amount, 'KES',
                  b.posted + sum(m.amount) over w, b.version + row_number() over w, now()
           from load_moves m join ledger_balances b on b.account_id = m.account_id
           window w as (partition by m.account_id order by m.transaction_id, m.leg)
           order by m.transaction_id, m.leg`,
        );
        await c.query(
          `update ledger_balances b set posted = b.posted + d.total, version = b.version + d.n
           from (select account_id, sum(amount) as total, count(*) as n from load_moves group by account_id) d
           where b.account_id = d.account_id`,
        );
        await c.query("drop table load_transfers, load_moves");
        missing -= transfers * 2;
      }
    });
    await settle(c);
    const after = await c.query("select count(*)::bigint as n from ledger_postings");
    return Number(after.rows[0].n);
  });
}

/**
 * Brings the database to the state a ledger that grew to this size over time is in: the bulk
 * load left a million never-read rows (each first read then dirties its page to set hint bits),
 * an autovacuum of the postings table due at once, and a checkpoint's worth of dirty buffers.
 * Measured straight after the load, latency counted that one-off background work (on two cores,
 * fsyncs included), not the cost of the ledger's size.
 */
async function settle(c: pg.Client) {
  await c.query("vacuum (analyze) ledger_postings, ledger_transactions, ledger_balances, ledger_accounts");
  await c.query("checkpoint");
}

/**
 * One transfer touching each of the 1,000 accounts, so that, as on the empty ledger (measured
 * right after every account was funded), every account's index pages were already written once
 * since the last checkpoint. The first write of a page after a checkpoint logs the whole page
 * (full_page_writes): measured on this machine, a transfer right after a checkpoint writes
 * ~3.3 KB of WAL on the empty ledger and ~28 KB at 1M postings, where each account's postings
 * indexes end on pages of their own. That is a once-per-checkpoint cost spread over all the
 * transfers of a checkpoint interval in steady traffic; 400 timed transfers straight after a
 * checkpoint would have counted it ~6 times per transfer.
 */
async function touchEveryAccount(db: Db) {
  const results = await postLedgerTransactionsBatch(db, Array.from({ length: wide.accounts.length / 2 }, (_, i) => ({
    idempotencyKey: `touch-${i}`,
    kind: "transfer" as const,
    postings: [
      { account: wide.accounts[2 * i]!, amount: -1n, currency: "KES" as const },
      { account: wide.accounts[2 * i + 1]!, amount: 1n, currency: "KES" as const },
    ],
  })));
  if (results.some((r) => !r.ok)) throw new Error("touching every account failed");
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

const loadAtStart = machineLoad();
const dataRoot = await mkdtemp(join(tmpdir(), "agrinet-bench-pg-"));
const server = await startEmbeddedPostgres({
  dataDir: join(dataRoot, "data"),
  persistent: false,
  durability: "full",
  maxConnections: 100,
});
const postgresPid = postmasterPid(join(dataRoot, "data"));
postgresCpu = () => processTreeCpuSeconds(postgresPid);
const url = server.url("bench");
/** The empty ledger the scale figures compare with: set up as the loaded one was before its load. */
const emptyUrl = server.url("bench_empty");
const rawClients: pg.Client[] = [];
const pgPool = new pg.Pool({ connectionString: url, max: clients });
let db: Db | undefined;
let emptyDb: Db | undefined;

/** Migrated, the accounts funded, the page user's 200 transactions, deposits and payouts. */
async function prepareLedger(databaseUrl: string, name: string): Promise<Db> {
  await withPgClient(server.url(), (c) => c.query(`create database ${name}`));
  await applyMigrations(databaseUrl);
  const ledger = createDb({ connectionString: databaseUrl, maxConnections: clients, connectionTimeoutMillis: 60_000 });
  await fund(ledger, wide);
  await fund(ledger, hot);
  await seedPageUserHistory(ledger);
  // Full first pages on the empty ledger too.
  await loadRecords(databaseUrl, { first: 1, count: 200, users: 1, ageSeconds: 0 });
  return ledger;
}

try {
  db = await prepareLedger(url, "bench");
  await setupRawTables(url);
  emptyDb = await prepareLedger(emptyUrl, "bench_empty");
  for (let i = 0; i < clients; i++) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    rawClients.push(client);
  }
  const ledgerDb = db;

  console.log(`ledger benchmark: ${clients} clients, ${seconds}s per run, batches of ${batchSize}, ` +
    `${cpus().length} CPUs, ${loadAtStart.uptime}`);
  const trips = await roundTrips(ledgerDb, pgPool);
  console.log(`round trip (select 1): Prisma p50 ${trips.prisma.p50Ms} ms, pg p50 ${trips.pg.p50Ms} ms`);

  const throughput: Record<string, { baseline: Measured; single: Measured; batch: Measured }> = {};
  for (const [name, pool] of [["1000 accounts", wide], ["10 hot accounts", hot]] as const) {
    const baseline = await measure(async (c) => {
      await rawClients[c]!.query(rawTransferSql(pool.rawIds));
      return 1;
    });
    const single = await measure(async () => {
      await postLedgerTransaction(ledgerDb, transfer(pool));
      return 1;
    });
    const batch = await measure(async () => {
      const results = await postLedgerTransactionsBatch(ledgerDb, Array.from({ length: batchSize }, () => transfer(pool)));
      return results.filter((r) => r.ok).length;
    });
    throughput[name] = { baseline, single, batch };
    console.log(`${name}: raw SQL baseline ${Math.round(baseline.rate)}/s (${describeCpu(baseline)}) | ` +
      `single ${Math.round(single.rate)}/s (${round(single.rate / baseline.rate)}x baseline; ${describeCpu(single)}) | ` +
      `batch ${Math.round(batch.rate)}/s (${round(batch.rate / baseline.rate)}x baseline; ${describeCpu(batch)}) | ` +
      machineLoad().uptime);
  }

  const loadStarted = performance.now();
  const postings = await loadPostings(url, targetPostings);
  const records = Math.round(postings / postingsPerRecord);
  await loadRecords(url, { first: 201, count: records, users: wide.accounts.length, ageSeconds: 365 * 86_400 });
  await withPgClient(url, (c) => c.query("vacuum (analyze) deposits, payouts"));
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  console.log(`generated ${postings.toLocaleString("en")} postings, ${records.toLocaleString("en")} deposits and as many payouts ` +
    `in ${loadSeconds.toFixed(0)} s (set-based SQL, vacuum and analyze included; ${machineLoad().uptime})`);
  // The empty ledger as settled as the loaded one: analyzed, its dirty pages checkpointed.
  await withPgClient(emptyUrl, async (c) => {
    await c.query("vacuum (analyze)");
    await c.query("checkpoint");
  });
  await touchEveryAccount(ledgerDb);
  await touchEveryAccount(emptyDb);
  const emptyOperations = await scaleOperations(emptyDb, emptyUrl);
  const loadedOperations = await scaleOperations(ledgerDb, url);
  const scaleTimings = {} as Record<ScaleOperationName, { empty: Timing; loaded: Timing }>;
  for (const name of scaleOperationNames) {
    const isTransfer = name === "transfer latency";
    scaleTimings[name] = await timedPair(isTransfer ? latencySamples : pageSamples, isTransfer ? 50 : 10, emptyOperations[name], loadedOperations[name]);
    const { empty, loaded } = scaleTimings[name];
    console.log(`${name}: empty p50 ${empty.p50Ms} ms, p99 ${empty.p99Ms} ms | at ${postings.toLocaleString("en")} postings ` +
      `p50 ${loaded.p50Ms} ms, p99 ${loaded.p99Ms} ms | ${machineLoad().uptime}`);
  }
  const userTransactions = { empty: await userTransactionCount(emptyUrl), loaded: await userTransactionCount(url) };

  const verification = await verifyLedger(ledgerDb);
  console.log(verification.ok ? "ledger verified after the benchmark: no violations"
    : `LEDGER VERIFICATION FAILED: ${JSON.stringify(verification.checks.filter((c) => c.violations))}`);

  const figures: BenchFigure[] = [];
  for (const [name, t] of Object.entries(throughput)) {
    const baseline = { name: "raw SQL transfer", value: Math.round(t.baseline.rate), unit: "ops/s" };
    const cpuNote = (m: Measured) => `${describeCpu(m)} (raw SQL: bench ${t.baseline.benchCpuUs}, ` +
      `PostgreSQL ${t.baseline.postgresCpuUs})`;
    const totalCpu = (m: Measured) => m.benchCpuUs + m.postgresCpuUs;
    figures.push(
      { group: "ledger", name: `raw SQL transfer baseline, ${name}`, value: Math.round(t.baseline.rate), unit: "ops/s",
        absolute: true, note: `${clients} clients, one round trip per transfer; ${describeCpu(t.baseline)}` },
      { group: "ledger", name: `single transfer (Prisma client), ${name}`, value: Math.round(t.single.rate), unit: "ops/s",
        baseline, ratio: round(t.single.rate / t.baseline.rate), target: "ratio ≥ 0.6",
        met: t.single.rate / t.baseline.rate >= 0.6, note: cpuNote(t.single) },
      { group: "ledger", name: `single transfer (Prisma client) CPU per transfer, ${name}`, value: totalCpu(t.single),
        unit: "µs", baseline: { name: "raw SQL transfer CPU", value: totalCpu(t.baseline), unit: "µs" },
        ratio: round(totalCpu(t.single) / totalCpu(t.baseline)),
        note: `this process + PostgreSQL over the measured window (no target; steadier than ops/s on a shared ` +
          `machine): ${cpuNote(t.single)}` },
      { group: "ledger", name: `batch transfers (${batchSize} per commit), ${name}`, value: Math.round(t.batch.rate), unit: "ops/s",
        baseline, ratio: round(t.batch.rate / t.baseline.rate), target: "ratio ≥ 3", met: t.batch.rate / t.baseline.rate >= 3,
        note: "a ratio, so it means the same on any machine (the absolute ~10,000/s held only on a quiet 2-core one); " +
          `concurrent batches share commits (group commit, up to 2,000 transfers); ${describeCpu(t.batch)}` },
    );
  }
  figures.push({
    group: "ledger", name: "round trip select 1 (Prisma client), p50", value: trips.prisma.p50Ms, unit: "ms",
    baseline: { name: "pg pool select 1, p50", value: trips.pg.p50Ms, unit: "ms" },
    ratio: round(trips.prisma.p50Ms / trips.pg.p50Ms),
    note: "client-side cost the single path pays per call through Prisma (no target)",
  });
  const loaded = `at ${postings.toLocaleString("en")} postings`;
  const scaleNote = `${records.toLocaleString("en")} deposits and as many payouts beside them; generated in ${loadSeconds.toFixed(0)} s`;
  // p50 and p99 each against the empty ledger's, sampled in turn with it: a list fast in the
  // median but slow in its tail at scale still fails.
  for (const name of scaleOperationNames) {
    const { empty, loaded: at } = scaleTimings[name];
    const user = name.includes("one user") ? `; the user has ${userTransactions.empty} transactions empty, ${userTransactions.loaded} loaded` : "";
    for (const q of ["p50Ms", "p99Ms"] as const) {
      figures.push({
        group: "scale", name: `${name} ${loaded}, ${q.slice(0, 3)}`, value: at[q], unit: "ms",
        baseline: { name: `empty ledger, ${q.slice(0, 3)}`, value: empty[q], unit: "ms" },
        ratio: round(at[q] / empty[q]), target: "ratio ≤ 1.2", met: at[q] / empty[q] <= 1.2,
        note: `mean ${at.meanMs} ms vs ${empty.meanMs} ms; ${scaleNote}${user}`,
      });
    }
  }
  if (!verification.ok) {
    figures.push({ group: "ledger", name: "ledger:verify after the benchmark", value: 0, unit: "ok", target: "passes", met: false });
  }
  await reportFigures(figures);

  const results = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, loadAtStart, loadAtEnd: machineLoad() },
    settings: { clients, seconds, batchSize, durability: "full", latencySamples, pageSamples, targetPostings },
    figures,
    ledgerVerified: verification.ok,
  };
  if (!process.env.BENCH_OUTPUT) {
    await mkdir(join(import.meta.dirname, "results"), { recursive: true });
    const file = join(import.meta.dirname, "results", `ledger-${results.at.replace(/[:.]/g, "-")}.json`);
    await writeFile(file, JSON.stringify(results, null, 2) + "\n");
    console.log(`results: ${file}`);
  }
  if (!verification.ok) process.exitCode = 1;
} finally {
  await Promise.all(rawClients.map((c) => c.end()));
  await pgPool.end();
  await db?.$disconnect();
  await emptyDb?.$disconnect();
  await server.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
