import type { Queryable } from "@agrinet/db";

/*
 * The payout destinations area's SQL (#21 item 4): a user's saved destinations, each the
 * partner's that saved it. Saving and removing write their audit row in the same statement.
 */

export type PayoutDestinationRow = {
  id: string;
  partnerId: string;
  userId: string;
  type: string;
  destination: unknown;
  createdAt: Date;
};

type RawRow = { id: string; partner_id: string; user_id: string; type: string; destination: unknown; created_at: Date };

function decodeRow(row: RawRow): PayoutDestinationRow {
  return {
    id: row.id,
    partnerId: row.partner_id,
    userId: row.user_id,
    type: row.type,
    destination: row.destination,
    createdAt: row.created_at,
  };
}

const columns = "id, partner_id, user_id, type, destination, created_at";

/**
 * Saves a destination for the user within the partner, or finds the one already saved (the
 * same `key`); the audit row is written only when it is new, in the same statement. Null when
 * a concurrent save of the same destination is not yet visible to this statement (retry).
 */
export async function saveDestination(
  db: Queryable,
  row: { id: string; partnerId: string; userId: string; type: string; destination: string; key: string },
  audit: { actor: string; ip: string | null },
): Promise<(PayoutDestinationRow & { created: boolean }) | null> {
  const { rows } = await db.query<RawRow & { created: boolean }>({
    name: "payout-destinations-save",
    text: `with inserted as (
       insert into payout_destinations (id, partner_id, user_id, type, destination, key, created_by)
       values ($1, $2, $3, $4, $5::jsonb, $6, $7)
       on conflict (partner_id, user_id, key) do nothing
       returning ${columns}
     ), audited as (
       insert into audit_logs (actor, action, target, ip, metadata)
       select $7, 'payout_destination.created', 'payout_destination:' || i.id, $8,
              jsonb_build_object('userId', i.user_id, 'partnerId', i.partner_id, 'type', i.type)
       from inserted i
       returning id
     )
     select ${columns}, true as created from inserted
     union all
     select ${columns}, false as created from payout_destinations
     where partner_id = $2 and user_id = $3 and key = $6`,
    values: [row.id, row.partnerId, row.userId, row.type, row.destination, row.key, audit.actor, audit.ip],
  });
  const found = rows[0];
  return found ? { ...decodeRow(found), created: found.created } : null;
}

/** The user's saved destinations, oldest first; within one partner unless partnerId is undefined (staff). */
export async function listDestinations(db: Queryable, userId: string, partnerId: string | undefined): Promise<PayoutDestinationRow[]> {
  const { rows } = await db.query<RawRow>({
    name: "payout-destinations-list",
    text: `select ${columns} from payout_destinations
           where user_id = $1 and ($2::text is null or partner_id = $2) order by created_at, id`,
    values: [userId, partnerId ?? null],
  });
  return rows.map(decodeRow);
}

/** The user's destination by id (within the partner unless undefined), or null. */
export async function findDestination(
  db: Queryable,
  destinationId: string,
  userId: string,
  partnerId: string | undefined,
): Promise<PayoutDestinationRow | null> {
  const { rows } = await db.query<RawRow>({
    name: "payout-destinations-find",
    text: `select ${columns} from payout_destinations
           where id = $1 and user_id = $2 and ($3::text is null or partner_id = $3)`,
    values: [destinationId, userId, partnerId ?? null],
  });
  return rows[0] ? decodeRow(rows[0]) : null;
}

/** Removes the user's destination and writes the audit row, in one statement; null when there was none. */
export async function removeDestination(
  db: Queryable,
  destinationId: string,
  userId: string,
  partnerId: string | undefined,
  audit: { actor: string; ip: string | null },
): Promise<PayoutDestinationRow | null> {
  const { rows } = await db.query<RawRow>({
    name: "payout-destinations-remove",
    text: `with removed as (
       delete from payout_destinations
       where id = $1 and user_id = $2 and ($3::text is null or partner_id = $3)
       returning ${columns}
     ), audited as (
       insert into audit_logs (actor, action, target, ip, metadata)
       select $4, 'payout_destination.removed', 'payout_destination:' || r.id, $5,
              jsonb_build_object('userId', r.user_id, 'partnerId', r.partner_id, 'type', r.type)
       from removed r
       returning id
     )
     select ${columns} from removed`,
    values: [destinationId, userId, partnerId ?? null, audit.actor, audit.ip],
  });
  return rows[0] ? decodeRow(rows[0]) : null;
}
