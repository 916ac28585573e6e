// `pnpm db:seed`: the demo data set, on DATABASE_URL or the embedded database under DATA_DIR.
import { applyMigrations } from "@agrinet/db/migrate";
import { openLocalDatabaseOrExit } from "@agrinet/db/local-database";
import { loadLauncherEnv, refuseWellKnownSeedCredentials } from "./env";
import { seedDemoData } from "./seed-demo-data";

const env = loadLauncherEnv();
refuseWellKnownSeedCredentials(env, "db:seed");
const database = await openLocalDatabaseOrExit("db:seed", env.DATABASE_URL, { dataDir: env.DATA_DIR });
try {
  await applyMigrations(database.url);
  console.log(await seedDemoData(database.url, env));
} finally {
  await database.close();
}
