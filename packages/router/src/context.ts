import type { Db } from "@agrinet/db";
import type { NotificationHub } from "@agrinet/domain";
import type { Principal } from "./access";

/** Payout settings from the API's environment (PAYOUT_MIN_AMOUNT, PAYOUT_MAX_ATTEMPTS, …). */
export type PayoutSettings = {
  minAmount: bigint;
  maxAttempts: number;
  /** How long `POST /admin/payouts/run` waits for its batch. */
  runWaitMs: number;
};

export const defaultPayoutSettings: PayoutSettings = { minAmount: 500n, maxAttempts: 5, runWaitMs: 15_000 };

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
  /** This process's live notification fan-out (apps/api); absent where nothing streams. */
  notificationHub?: NotificationHub;
  /** Absent in contexts that never touch payouts (the defaults apply). */
  payouts?: PayoutSettings;
};
