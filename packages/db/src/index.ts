export { createDb, type Db, type Tx, type CreateDbOptions } from "./client";
export * from "./generated/prisma/client";
export {
  applyMigrations,
  listMigrationNames,
  migrationStatus,
  withPgClient,
  type MigrationStatus,
} from "./migrations";
