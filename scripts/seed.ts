// `pnpm db:seed`: the demo data set, on DATABASE_URL or the embedded database under .data/.
import { applyMigrations } from "@agrinet/db/migrate";
import { openLocalDatabase } from "@agrinet/db/local-database";
import { loadLauncherEnv } from "./env";
import { seedDemoData } from "./seed-demo-data";

const env = loadLauncherEnv();
const database = await openLocalDatabase(env.DATABASE_URL);
try {
  await applyMigrations(database.url);
  console.log(await seedDemoData(database.url, env));
} finally {
  await database.close();
}
