import { DomainError, randomHex } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import * as store from "@agrinet/stores/payout-destinations";
import { homePartnerOf } from "@agrinet/stores/tenancy";
import { describeDestination, type PayoutDestination } from "./payout-destination";

/*
 * A user's saved payout destinations (#21 item 4). A payout names one (`destinationId`) or gives
 * one inline, which saves it (the same destination again is the same record). With
 * PAYOUT_DESTINATION_COOLING_OFF_HOURS above 0 a destination is payable only once that old: a
 * stolen key that adds a phone number cannot pay to it at once.
 */

export type SavedDestinationView = {
  id: string;
  partnerId: string;
  userId: string;
  destination: PayoutDestination;
  /** The masked form, for lists. */
  description: string;
  createdAt: Date;
  /** When payouts may first go to it (createdAt plus the cooling-off). */
  payableAt: Date;
};

type Audit = { actor: string; ip: string | null };

function toView(row: store.PayoutDestinationRow, coolingOffHours: number): SavedDestinationView {
  const destination = row.destination as PayoutDestination;
  return {
    id: row.id,
    partnerId: row.partnerId,
    userId: row.userId,
    destination,
    description: describeDestination(destination),
    createdAt: row.createdAt,
    payableAt: new Date(row.createdAt.getTime() + coolingOffHours * 3_600_000),
  };
}

/** The destination's identity: its fields in one order, whatever order the request gave. */
export function destinationKey(destination: PayoutDestination): string {
  const entries = Object.entries(destination).filter(([, value]) => value !== undefined);
  return JSON.stringify(Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1))));
}

export function newDestinationId(): string {
  return `pd_${randomHex(12)}`;
}

/** Saves the destination for the user within the partner (staff: the user's home partner), or finds it saved. */
export async function saveDestination(options: {
  db: Db;
  partnerId?: string;
  userId: string;
  destination: PayoutDestination;
  coolingOffHours: number;
  audit: Audit;
}): Promise<SavedDestinationView & { created: boolean }> {
  const partnerId = options.partnerId ?? (await homePartnerOf(options.db.$pool, options.userId));
  const row = { id: newDestinationId(), partnerId, userId: options.userId, type: options.destination.type, destination: JSON.stringify(options.destination), key: destinationKey(options.destination) };
  // A second try sees a concurrent save of the same destination that the first could not.
  const saved = (await store.saveDestination(options.db.$pool, row, options.audit)) ?? (await store.saveDestination(options.db.$pool, row, options.audit));
  if (!saved) throw new Error(`payout destination of ${options.userId} neither saved nor found`);
  return { ...toView(saved, options.coolingOffHours), created: saved.created };
}

export async function listSavedDestinations(options: {
  db: Db;
  partnerId?: string;
  userId: string;
  coolingOffHours: number;
}): Promise<SavedDestinationView[]> {
  const rows = await store.listDestinations(options.db.$pool, options.userId, options.partnerId);
  return rows.map((row) => toView(row, options.coolingOffHours));
}

function destinationNotFound(destinationId: string, userId: string): DomainError {
  return new DomainError("NOT_FOUND", `no payout destination ${destinationId} for user ${userId}`, {
    fields: [{ path: "destinationId", message: "no such payout destination for this user" }],
  });
}

export async function findSavedDestination(options: {
  db: Db;
  partnerId?: string;
  userId: string;
  destinationId: string;
  coolingOffHours: number;
}): Promise<SavedDestinationView> {
  const row = await store.findDestination(options.db.$pool, options.destinationId, options.userId, options.partnerId);
  if (!row) throw destinationNotFound(options.destinationId, options.userId);
  return toView(row, options.coolingOffHours);
}

export async function removeSavedDestination(options: {
  db: Db;
  partnerId?: string;
  userId: string;
  destinationId: string;
  coolingOffHours: number;
  audit: Audit;
}): Promise<SavedDestinationView> {
  const row = await store.removeDestination(options.db.$pool, options.destinationId, options.userId, options.partnerId, options.audit);
  if (!row) throw destinationNotFound(options.destinationId, options.userId);
  return toView(row, options.coolingOffHours);
}

/** Refuses a payout to a destination still in its cooling-off, naming the field that gave it. */
export function assertDestinationPayable(saved: SavedDestinationView, field: "destination" | "destinationId", now = new Date()): void {
  // Without a cooling-off a destination is payable at once: never compare the database's
  // created_at (rounded to the millisecond, from another clock) with this process's now.
  if (saved.payableAt.getTime() === saved.createdAt.getTime() || saved.payableAt <= now) return;
  throw new DomainError(
    "DESTINATION_COOLING_OFF",
    `payout destination ${saved.id} was saved at ${saved.createdAt.toISOString()} and is payable from ${saved.payableAt.toISOString()} (PAYOUT_DESTINATION_COOLING_OFF_HOURS)`,
    {
      fields: [{ path: field, message: `a new destination is payable from ${saved.payableAt.toISOString()}` }],
      details: { destinationId: saved.id, payableAt: saved.payableAt.toISOString() },
    },
  );
}
