import type { Queryable, Tx } from "@agrinet/db";

/*
 * The tenancy area's SQL: partners, users' home partners, staff shares, and which records a
 * partner owns. The rule itself (a record is its creator's; a user is the first namer's) lives in
 * the partners migration so that every insert path follows it.
 */

/** Everything from before partners existed, and users first named by staff or the platform. */
export const defaultPartnerId = "partner_default";

export type PartnerRow = { id: string; name: string; createdAt: Date; createdBy: string; keyCount: number; userCount: number };

export type OwnedRecordKind = "deposit" | "payout" | "contract" | "rating" | "payoutDestination";

// Each kind's ids with their partner; a rating is its contract's.
const ownedIds: Record<OwnedRecordKind, string> = {
  deposit: "select id, partner_id from deposits",
  payout: "select id, partner_id from payouts",
  contract: "select id, partner_id from contracts",
  rating: "select r.id, c.partner_id from ratings r join contracts c on c.id = r.contract_id",
  payoutDestination: "select id, partner_id from payout_destinations",
};

// A user the partner may reach: its own (home partner) or shared with it by staff.
const reachable = `(u.partner_id = $1 or exists (select 1 from partner_user_shares s where s.partner_id = $1 and s.user_id = u.id))`;

/**
 * Makes each user the partner's when no partner has named them yet, and answers which of them
 * the partner may reach. The claim rests on the users primary key: of two partners naming a new
 * user at once, one wins and the other is told the user is not its own.
 */
export async function claimUsers(db: Queryable, partnerId: string, userIds: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>({
    name: "tenancy-claim-users",
    text: `with claimed as (
       insert into users (id, partner_id) select distinct id, $1 from unnest($2::text[]) as t(id)
       on conflict (id) do nothing
       returning id
     )
     select id from claimed
     union
     select u.id from users u where u.id = any($2::text[]) and ${reachable}`,
    values: [partnerId, userIds],
  });
  return new Set(rows.map((row) => row.id));
}

/** Which of the users the partner may reach (their own or shared with it). */
export async function reachableUsers(db: Queryable, partnerId: string, userIds: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>({
    name: "tenancy-reachable-users",
    text: `select u.id from users u where u.id = any($2::text[]) and ${reachable}`,
    values: [partnerId, userIds],
  });
  return new Set(rows.map((row) => row.id));
}

/** Which of the records exist and belong to the partner. */
export async function ownedRecords(
  db: Queryable,
  partnerId: string,
  kind: OwnedRecordKind,
  ids: string[],
): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>({
    name: `tenancy-owned-${kind}s`,
    text: `select id from (${ownedIds[kind]}) as owned where id = any($2::text[]) and partner_id = $1`,
    values: [partnerId, ids],
  });
  return new Set(rows.map((row) => row.id));
}

/** The user's home partner; a user nobody has named yet becomes the default partner's. */
export async function homePartnerOf(db: Queryable, userId: string): Promise<string> {
  const { rows } = await db.query<{ partner_id: string }>({
    name: "tenancy-home-partner",
    text: "select tenancy_home_partner($1) as partner_id",
    values: [userId],
  });
  return rows[0]!.partner_id;
}

export async function insertPartner(tx: Tx, partner: { id: string; name: string; createdBy: string }): Promise<PartnerRow> {
  const row = await tx.partner.create({ data: partner });
  return { ...row, keyCount: 0, userCount: 0 };
}

/** `homePartnerOf` inside a Prisma transaction. */
export async function homePartnerInTx(tx: Tx, userId: string): Promise<string> {
  const [row] = await tx.$queryRaw<Array<{ partner_id: string }>>`select tenancy_home_partner(${userId}) as partner_id`;
  return row!.partner_id;
}

/** The user's home partner, or null for a user no partner has named. */
export async function homePartnerOfKnownUser(tx: Tx, userId: string): Promise<string | null> {
  const user = await tx.user.findUnique({ where: { id: userId }, select: { partnerId: true } });
  return user?.partnerId ?? null;
}

export async function listPartners(db: Queryable): Promise<PartnerRow[]> {
  const { rows } = await db.query<PartnerRow>(
    `select p.id, p.name, p.created_at as "createdAt", p.created_by as "createdBy",
            (select count(*) from api_keys k where k.partner_id = p.id and k.revoked_at is null)::int as "keyCount",
            (select count(*) from users u where u.partner_id = p.id)::int as "userCount"
     from partners p order by p.created_at, p.id`,
  );
  return rows;
}

export async function findPartner(db: Queryable, partnerId: string): Promise<{ id: string; name: string } | null> {
  const { rows } = await db.query<{ id: string; name: string }>("select id, name from partners where id = $1", [partnerId]);
  return rows[0] ?? null;
}

/** Shares a user with another partner; false when it already was. */
export async function insertShare(tx: Tx, share: { partnerId: string; userId: string; createdBy: string }): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    insert into partner_user_shares (partner_id, user_id, created_by)
    values (${share.partnerId}, ${share.userId}, ${share.createdBy})
    on conflict do nothing`;
  return inserted > 0;
}
