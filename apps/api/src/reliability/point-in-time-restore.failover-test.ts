// The restore drill (`pnpm test:restore`, deploy/cluster-drill.sh): while the ledger takes a
// steady load on the Patroni cluster (an incremental pgBackRest backup taken in the middle of
// it), note an instant, keep loading, then restore the archive to that instant into a new
// PostgreSQL (deploy/restore-pitr.sh). The restored ledger verifies and holds exactly the
// transactions the cluster had committed by that instant (commit timestamps, track_commit_timestamp).
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createDb, type Db } from "@agrinet/db";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import { externalAccount, postLedgerTransaction, userWalletAccount } from "@agrinet/domain";
import { afterAll, beforeAll, expect, test } from "vitest";
import { expectLedgerVerified, scaled } from "../testing/reliability";

const run = promisify(execFile);
const deploy = fileURLToPath(new URL("../../../../deploy/", import.meta.url));
const adminUrl = process.env.CLUSTER_ADMIN_URL;
const database = "agrinet_restore";
const restorePort = Number(process.env.AGRINET_RESTORE_PORT ?? 5650);

let db: Db;
let restoreDir: string;
let restored: Db | undefined;

beforeAll(async () => {
  if (!adminUrl) throw new Error("CLUSTER_ADMIN_URL is not set: run `pnpm test:restore` (deploy/cluster-drill.sh)");
  await withPgClient(adminUrl, async (client) => {
    await client.query(`drop database if exists ${database} with (force)`);
    await client.query(`create database ${database}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  await applyMigrations(url.toString());
  db = createDb({ connectionString: url.toString(), maxConnections: 10 });
  restoreDir = await mkdtemp(join(tmpdir(), "agrinet-restore-"));
});

afterAll(async () => {
  await restored?.$disconnect();
  await db?.$disconnect();
  if (restoreDir) await run(join(deploy, "restore-pitr.sh"), ["--to", restoreDir, "--stop"]).catch(() => {});
  await rm(restoreDir, { recursive: true, force: true }).catch(() => {});
});

type LedgerRow = { id: string; idempotency_key: string; postings: string };

/** Every transaction with its postings, as text, for an exact comparison between two servers. */
const ledgerRows = (client: Db, until?: string) =>
  client.$queryRawUnsafe<LedgerRow[]>(
    `select t.id::text, t.idempotency_key,
            string_agg(a.code || ':' || p.amount::text || ':' || p.currency, ',' order by p.id) as postings
     from ledger_transactions t
     join ledger_postings p on p.transaction_id = t.id
     join ledger_accounts a on a.id = p.account_id
     ${until ? "where pg_xact_commit_timestamp(t.xmin) <= $1::timestamptz" : ""}
     group by t.id, t.idempotency_key order by t.id`,
    ...(until ? [until] : []),
  );

test("restore to an instant taken mid-load → the restored ledger verifies and equals the cluster's as of that instant", async () => {
  const wallets = Array.from({ length: 20 }, (_, i) => userWalletAccount(`user_restore_${i}`, "KES"));
  const mpesa = externalAccount("mpesa", "KES");
  let running = true;
  let posted = 0;
  async function client(n: number) {
    for (let i = 0; running; i++) {
      const from = i % 3 === 0 ? mpesa : wallets[(n + i) % wallets.length]!;
      const to = wallets[(n * 7 + i + 1) % wallets.length]!;
      const amount = from === mpesa ? 100_000n : 1n + BigInt(i % 50);
      await postLedgerTransaction(db, {
        idempotencyKey: `restore-${n}-${i}`,
        kind: from === mpesa ? "deposit" : "transfer",
        postings: [
          { account: from, amount: -amount, currency: "KES" },
          { account: to, amount, currency: "KES" },
        ],
      }).then(
        () => posted++,
        // A transfer from a wallet not yet funded is refused by the ledger: part of the load.
        () => {},
      );
    }
  }
  const load = Promise.all(Array.from({ length: 6 }, (_, n) => client(n)));
  const minimum = scaled(1_000, 100);
  const waitFor = async (count: number) => {
    while (posted < count) await new Promise((resolve) => setTimeout(resolve, 100));
  };

  await waitFor(minimum);
  const backupStarted = Date.now();
  await run(join(deploy, "cluster.sh"), ["backup", "incr"]);
  const backupSeconds = (Date.now() - backupStarted) / 1000;
  await waitFor(posted + minimum);
  // The instant, on the database's clock (commit timestamps are on that clock too).
  const [{ instant }] = await db.$queryRaw<[{ instant: string }]>`select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US"+00"') as instant`;
  const postedAtInstant = posted;
  await waitFor(posted + minimum);
  running = false;
  await load;
  // Close the WAL segment holding the last commits and wait until it is archived.
  await run(join(deploy, "cluster.sh"), ["pgbackrest", "--log-level-console=warn", "check"]);

  const expected = await ledgerRows(db, instant);
  const total = await ledgerRows(db);
  expect(expected.length).toBeGreaterThan(minimum);
  expect(total.length).toBeGreaterThan(expected.length);

  const { stdout } = await run(join(deploy, "restore-pitr.sh"), ["--target", instant, "--to", restoreDir, "--port", String(restorePort)], { maxBuffer: 10_000_000 });
  const timing = Object.fromEntries(stdout.trim().split("\n").filter((l) => l.includes("=")).map((l) => l.split("=") as [string, string]));
  const restoredUrl = new URL(adminUrl!);
  restoredUrl.port = String(restorePort);
  restoredUrl.pathname = `/${database}`;
  restored = createDb({ connectionString: restoredUrl.toString(), maxConnections: 4 });

  const totals = await expectLedgerVerified(restored);
  expect(await ledgerRows(restored)).toEqual(expected);

  console.info(
    `[reliability] restore drill: ${total.length} transactions posted under load (${postedAtInstant} acknowledged when the instant ${instant} was taken), ` +
      `incremental backup mid-load ${backupSeconds.toFixed(1)} s; restored to the instant: ${expected.length} transactions equal to the cluster's committed by then, ` +
      `ledger verified (${totals.postings} postings, ${totals.accounts} accounts); restore ${timing.RESTORE_FILES_SECONDS} s of files, ` +
      `${timing.RESTORE_TOTAL_SECONDS} s until it accepted writes`,
  );
});
