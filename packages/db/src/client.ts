import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "./generated/prisma/client";

export type Db = PrismaClient;

export type CreateDbOptions = {
  connectionString: string;
  /** Pool size; the API and worker size it to their concurrency. */
  maxConnections?: number;
  /** Fail fast rather than hang when PostgreSQL is unreachable. */
  connectionTimeoutMillis?: number;
};

export function createDb(options: CreateDbOptions): Db {
  const adapter = new PrismaPg({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
  });
  return new PrismaClient({ adapter });
}

/** A Prisma interactive-transaction client: what domain functions that write take. */
export type Tx = Prisma.TransactionClient;
