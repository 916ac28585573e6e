import { isDb, isPgTx, type Db, type Tx, type TxClient } from "@agrinet/db";

/** Where a store statement runs: on its own (the client) or inside the caller's Prisma transaction. */
export type SqlClient = Db | Tx;

/** A statement as node-postgres takes it; `name` prepares it once per pg connection. */
export type TxStatement = { name: string; text: string; values: unknown[] };

/**
 * Runs one statement in the caller's transaction — a pg one (`PgTx`, the hot paths) or a Prisma
 * interactive transaction — or on its own through the client's pg pool, and answers its rows as
 * that driver decodes them: int8 as text from pg, as bigint from Prisma (the stores' row decoders
 * take both), timestamps as Date, json parsed.
 */
export async function txRows<T>(tx: TxClient | Db, statement: TxStatement): Promise<T[]> {
  if (isPgTx(tx)) return (await tx.query(statement)).rows as T[];
  if (isDb(tx)) return (await tx.$pool.query(statement)).rows as T[];
  return tx.$queryRawUnsafe<T[]>(statement.text, ...statement.values);
}
