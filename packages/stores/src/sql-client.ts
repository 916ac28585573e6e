import type { Db, Tx } from "@agrinet/db";

/** Where a store statement runs: on its own (the client) or inside the caller's Prisma transaction. */
export type SqlClient = Db | Tx;
