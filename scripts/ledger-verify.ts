// `pnpm ledger:verify`: checks the whole ledger on DATABASE_URL or the embedded database under
// .data/, prints a report, and exits 1 on any violation.
import { createDb } from "@agrinet/db";
import { openLocalDatabaseOrExit } from "@agrinet/db/local-database";
import { formatLedgerVerification, verifyLedger } from "@agrinet/domain";
import { loadLauncherEnv } from "./env";

const env = loadLauncherEnv();
const database = await openLocalDatabaseOrExit("ledger:verify", env.DATABASE_URL, { dataDir: env.DATA_DIR });
const db = createDb({ connectionString: database.url, maxConnections: 2 });
let ok = false;
try {
  const report = await verifyLedger(db);
  console.log(formatLedgerVerification(report));
  ok = report.ok;
} finally {
  await db.$disconnect();
  await database.close();
}
process.exit(ok ? 0 : 1);
