export { listenToChannel, type ChannelListener, type ListenToChannelOptions } from "./channel-listener";
export { createDb, inPgTransaction, isDb, isPgTx, type Db, type Tx, type PgTx, type TxClient, type CreateDbOptions, type Queryable } from "./client";
export * from "./generated/prisma/client";
export {
  applyMigrations,
  listMigrationNames,
  migrationStatus,
  withPgClient,
  type MigrationStatus,
} from "./migrations";
export {
  booleanArrayLiteral,
  booleanFromText,
  int8ArrayFromText,
  int8ArrayLiteral,
  int8FromText,
  queryTextRows,
  textArrayLiteral,
  timestamptzFromText,
  type TextRow,
  type TextRowsQuery,
} from "./text-rows-query";
