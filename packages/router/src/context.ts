import type { Db } from "@agrinet/db";
import type { Principal } from "./access";

/** What every procedure receives; built per request by the transport (apps/api). */
export type Context = {
  db: Db;
  requestId: string;
  /** The authenticated caller, or null when no valid credentials came with the request. */
  principal: Principal | null;
  /** The caller's address, for the audit log. */
  ip: string | null;
  /** Migration names shipped with this build, for the status checks. */
  expectedMigrations: string[];
};
