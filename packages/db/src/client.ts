import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient, type Prisma } from "./generated/prisma/client";

/**
 * The Prisma client, plus the pg pool under it. Hot paths (a deposit per request, thousands of
 * payouts a second) speak SQL to `$pool` directly: one pg round trip costs a fraction of a
 * Prisma query's CPU (its query compiler and interactive-transaction bookkeeping), and both share
 * the same connections.
 */
export type Db = PrismaClient & { readonly $pool: pg.Pool };

export type CreateDbOptions = {
  connectionString: string;
  /** Pool size; the API and worker size it to their concurrency. */
  maxConnections?: number;
  /** Fail fast rather than hang when PostgreSQL is unreachable. */
  connectionTimeoutMillis?: number;
};

export function createDb(options: CreateDbOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
  });
  // An idle connection PostgreSQL closes (a restart, an administrator) is an 'error' event on
  // the pool, which would end the process unhandled. Prisma listens only once it has run a
  // query, and hot paths may never use it: the pool drops that connection either way, and the
  // next query opens another.
  pool.on("error", () => {});
  keepConnectionsAfterRefusals(pool);
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const prisma = new PrismaClient({ adapter });
  const disconnect = prisma.$disconnect.bind(prisma);
  return Object.assign(prisma, {
    $pool: pool,
    // Prisma ends the pool only if it ever connected; a client used only through $pool must too.
    async $disconnect() {
      await disconnect();
      if (!pool.ended) await pool.end();
    },
  });
}

type QueryCallback = (error: Error | undefined, result?: unknown) => void;

/**
 * pg-pool's `query` hands a connection back *with the error* when a query fails, and the pool
 * then closes it. A refusal by PostgreSQL (a unique violation, INSUFFICIENT_FUNDS raised by a
 * ledger function) leaves the connection ready for the next query, so closing it only costs a
 * reconnect and every statement prepared on it. Here only errors that may have left the
 * connection broken discard it: socket, protocol and timeout errors, and FATAL ones (PostgreSQL
 * closes the connection after sending them).
 */
function keepConnectionsAfterRefusals(pool: pg.Pool): void {
  const query = (text: unknown, values?: unknown, callback?: unknown): unknown => {
    if (typeof values === "function") {
      callback = values;
      values = undefined;
    }
    let answer = callback as QueryCallback | undefined;
    const promise = answer
      ? undefined
      : new Promise((resolve, reject) => {
          answer = (error, result) => (error ? reject(error) : resolve(result));
        });
    pool.connect((connectError, client, release) => {
      if (connectError || !client) return answer!(connectError ?? new Error("no connection"));
      let finished = false;
      const finish = (error: Error | undefined, result?: unknown) => {
        if (finished) return;
        finished = true;
        client.removeListener("error", finish);
        release(error instanceof pg.DatabaseError && error.severity === "ERROR" ? undefined : error);
        answer!(error ?? undefined, result);
      };
      // A socket error while the query runs: pg-pool listens only while a connection is idle.
      client.once("error", finish);
      try {
        (client.query as (text: unknown, values: unknown, callback: QueryCallback) => unknown)(text, values, (error, result) =>
          finish(error ?? undefined, result),
        );
      } catch (error) {
        finish(error as Error);
      }
    });
    return promise;
  };
  pool.query = query as typeof pool.query;
}

/** A Prisma interactive-transaction client: what domain functions that write take. */
export type Tx = Prisma.TransactionClient;

/**
 * The client itself rather than an interactive transaction's: `$pool` shows through a
 * transaction's client too, `$disconnect` does not (Prisma.TransactionClient omits it).
 */
export function isDb(client: object): client is Db {
  return "$disconnect" in client;
}

/**
 * A pg connection of the pool inside BEGIN … COMMIT (`inPgTransaction`): the transaction hot paths
 * run in instead of a Prisma interactive transaction, whose bookkeeping and per-query compiler
 * cost several times the CPU of the statements themselves.
 */
export type PgTx = pg.PoolClient;

/**
 * The transaction a domain function that writes runs in: a Prisma interactive transaction or a
 * pg one. The same function, whoever calls it; the stores send each statement to whichever it is.
 */
export type TxClient = Tx | PgTx;

/** A pg connection (`PgTx`) rather than a Prisma client or transaction. */
export function isPgTx(client: object): client is PgTx {
  return client instanceof pg.Client;
}

/** What a SQL statement can be sent to: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, "query">;

/**
 * Runs `work` in one transaction on a connection of the pool (BEGIN … COMMIT; ROLLBACK when it
 * throws). A connection that failed mid-transaction is discarded, not returned to the pool.
 */
export async function inPgTransaction<T>(db: Db, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.$pool.connect();
  let broken: Error | undefined;
  // The pool listens for a connection's socket errors only while it is idle: one that dies while
  // checked out (PostgreSQL restarting) would emit an 'error' nobody handles and end the process.
  // The query in flight fails with the same error; the connection is discarded on release.
  const onError = (error: Error) => (broken = error);
  client.on("error", onError);
  try {
    await client.query("begin");
    const result = await work(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch((rollbackError: Error) => (broken ??= rollbackError));
    throw error;
  } finally {
    client.removeListener("error", onError);
    client.release(broken);
  }
}
