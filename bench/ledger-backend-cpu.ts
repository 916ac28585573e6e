// PostgreSQL backend CPU per single transfer, without the client: a procedure calls
// ledger_post_transaction for random pairs of 1,000 funded accounts and commits after each, and
// the backend's CPU time (from /proc) is divided by the transfers. On this shared machine that
// holds steadier than transfers/s, and it isolates the database's share of `single` in
// `pnpm bench:ledger`. BENCH_VARIANTS_FILE names a JSON array of SQL statements, applied one
// after another on the same database, each then measured again: A/B of a function body or an
// index without a migration (e.g. `drop index ...`, `create or replace function ...` with an
// early RETURN to time a part). Durability off: this counts CPU, not fsyncs.
//   pnpm bench:ledger-cpu   (BENCH_TRANSFERS per round, default 2,000)
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@agrinet/db";
import { startEmbeddedPostgres } from "@agrinet/db/embedded";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import { externalAccount, postLedgerTransactionsBatch, userWalletAccount } from "@agrinet/domain";
import { machineLoad } from "./machine-load";
import { processCpuSeconds } from "./process-cpu";

const transfers = Number(process.env.BENCH_TRANSFERS ?? 2_000);
const rounds = 4;
const variants: string[] = process.env.BENCH_VARIANTS_FILE
  ? (JSON.parse(readFileSync(process.env.BENCH_VARIANTS_FILE, "utf8")) as string[])
  : [];

const loopProcedure = `
  create procedure bench_transfer_loop(n int, tag text) language plpgsql as $$
  declare
    codes text[]; owner_types text[]; owner_ids text[]; purposes text[]; negative boolean[];
    x int; y int;
  begin
    select array_agg(code order by id), array_agg(owner_type order by id), array_agg(owner_id order by id),
           array_agg(purpose order by id), array_agg(allow_negative order by id)
    into codes, owner_types, owner_ids, purposes, negative
    from ledger_accounts where owner_id like 'bench\\_%';
    for i in 1 .. n loop
      x := 1 + (random() * 999)::int;
      y := 1 + (x + (random() * 998)::int) % 1000;
      perform * from ledger_post_transaction(tag || i, 'transfer', '{}'::jsonb, null, 'bench',
        array[codes[x], codes[y]], array[-5, 5]::bigint[], array['KES', 'KES'],
        array[owner_types[x], owner_types[y]], array[owner_ids[x], owner_ids[y]],
        array[purposes[x], purposes[y]], array[negative[x], negative[y]]);
      commit;
    end loop;
  end $$`;

const dataRoot = await mkdtemp(join(tmpdir(), "agrinet-bench-cpu-"));
const server = await startEmbeddedPostgres({ dataDir: join(dataRoot, "data"), persistent: false, durability: "none" });
try {
  const url = server.url("bench");
  await withPgClient(server.url(), (c) => c.query("create database bench"));
  await applyMigrations(url);
  const db = createDb({ connectionString: url, maxConnections: 2 });
  const accounts = Array.from({ length: 1_000 }, (_, i) => userWalletAccount(`bench_${i}`, "KES"));
  const funded = await postLedgerTransactionsBatch(db, accounts.map((account, i) => ({
    idempotencyKey: `fund-${i}`,
    kind: "deposit" as const,
    postings: [
      { account: externalAccount("mpesa", "KES"), amount: -1_000_000_000n, currency: "KES" as const },
      { account, amount: 1_000_000_000n, currency: "KES" as const },
    ],
  })));
  await db.$disconnect();
  if (funded.some((r) => !r.ok)) throw new Error("funding the accounts failed");

  await withPgClient(url, async (client) => {
    await client.query(loopProcedure);
    const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    const pid = rows[0]!.pid;
    let run = 0;
    const measureRounds = async () => {
      const perTransfer: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const before = processCpuSeconds(pid);
        await client.query(`call bench_transfer_loop(${transfers}, 'run-${++run}-')`);
        perTransfer.push(Math.round(((processCpuSeconds(pid) - before) * 1e6) / transfers));
      }
      return perTransfer.join(" ");
    };
    await client.query(`call bench_transfer_loop(500, 'warmup-')`);
    console.log(`backend CPU µs per transfer (${rounds} rounds of ${transfers}), ${machineLoad().uptime}`);
    console.log(`  ${await measureRounds()} | as migrated`);
    for (const sql of variants) {
      await client.query(sql);
      console.log(`  ${await measureRounds()} | ${sql.replace(/\s+/g, " ").slice(0, 90)}`);
    }
  });
} finally {
  await server.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
