import type { Db } from "@agrinet/db";

/** What every procedure receives; built per request by the transport (apps/api). */
export type Context = {
  db: Db;
  requestId: string;
  /** Migration names shipped with this build, for the status checks. */
  expectedMigrations: string[];
};
