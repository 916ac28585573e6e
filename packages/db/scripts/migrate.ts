import { loadDbToolEnv } from "../src/env";
import { openLocalDatabaseOrExit } from "../src/local-database";
import { applyMigrations } from "../src/migrations";

const env = loadDbToolEnv();
const database = await openLocalDatabaseOrExit("db:migrate", env.DATABASE_URL, { dataDir: env.DATA_DIR });
try {
  const applied = await applyMigrations(database.url);
  console.log(
    applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "database is up to date",
  );
} finally {
  await database.close();
}
