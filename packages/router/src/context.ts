import { paymentDefaults } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import type { C2bSettings, ChargeStripeDeposit, MpesaCollectionsSettings, NotificationHub } from "@agrinet/domain";
import type { Principal } from "./access";

/** Payout settings from the API's environment (PAYOUT_MIN_AMOUNT, PAYOUT_MAX_ATTEMPTS, …). */
export type PayoutSettings = {
  minAmount: bigint;
  /** AMOUNT_MAX in minor units; default `defaultAmountMax`. */
  maxAmount?: bigint;
  maxAttempts: number;
  /** How long `POST /admin/payouts/run` waits for its batch. */
  runWaitMs: number;
  /** PAYOUT_DESTINATION_COOLING_OFF_HOURS: a saved destination is payable once this old (default 0). */
  destinationCoolingOffHours?: number;
};

/** The environment's defaults (`paymentDefaults`), for contexts built without one. */
export const defaultPayoutSettings: PayoutSettings = {
  minAmount: paymentDefaults.payoutMinAmount,
  maxAttempts: paymentDefaults.payoutMaxAttempts,
  runWaitMs: paymentDefaults.payoutsRunWaitSeconds * 1000,
};

/** Deposit settings from the environment (DEPOSIT_MIN_AMOUNT, STRIPE_KEY, ...). */
export type DepositSettings = {
  /** DEPOSIT_MIN_AMOUNT in minor units. */
  minAmount: bigint;
  /** AMOUNT_MAX in minor units (deposits and contracts); default `defaultAmountMax`. */
  maxAmount?: bigint;
  /** DEPOSITS_PARTNER_CONFIRM: partner keys with deposits:write may confirm and fail deposits. */
  partnerConfirm: boolean;
  /** Charges a card through Stripe; null when STRIPE_KEY is unset. */
  chargeStripe: ChargeStripeDeposit | null;
  /** M-Pesa STK Push and paybill collections; null when not configured. */
  mpesa?: (MpesaCollectionsSettings & { c2b: C2bSettings }) | null;
};

/** What every procedure receives; built per request by the transport (apps/api). */
export type Context = {
  db: Db;
  /**
   * A streaming replica (DATABASE_READ_URL) for dashboard lists, reports and exports, which may
   * show data a few seconds old (deploy/README.md: HAProxy's read port serves replicas less than
   * 16 MB of WAL behind, and the primary when none is). Never for anything that moves money or
   * decides whether money may move: those read `db`. Absent: everything reads `db`.
   */
  readDb?: Db;
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
  /** Set by apps/api from the environment; contexts built elsewhere (tests) get the defaults. */
  deposits?: DepositSettings;
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES: webhook receivers on loopback or private networks. */
  webhooksAllowPrivateAddresses?: boolean;
};

/** The database for reads that may be slightly stale (see `Context.readDb`). */
export function staleReadDb(ctx: Pick<Context, "db" | "readDb">): Db {
  return ctx.readDb ?? ctx.db;
}

/** DEPOSIT_MIN_AMOUNT's default (`paymentDefaults`), no partner confirmations, no Stripe. */
export const defaultDepositSettings: DepositSettings = {
  minAmount: paymentDefaults.depositMinAmount,
  partnerConfirm: false,
  chargeStripe: null,
};
