export { createDb, type Db, type CreateDbOptions } from "./client.js";
export * from "./generated/prisma/client.js";
export {
  applyMigrations,
  listMigrationNames,
  migrationStatus,
  withPgClient,
  type MigrationStatus,
} from "./migrations.js";
