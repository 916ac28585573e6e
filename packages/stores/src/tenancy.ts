import type { Queryable, Tx } from "@agrinet/db";

/*
 * The tenancy area's SQL: partners, users' home partners, staff shares, and which records a
 * partner owns. The rule itself (a record is its creator's; a user is the first namer's) lives in
 * the partners migration so that every insert path follows it.
 */

/** Everything from before partners existed, and users first named by staff or the platform. */
export const defaultPartnerId = "partner_default";

export type PartnerRow = {
  id: string;
  name: string;
  createdAt: Date;
  createdBy: string;
  keyCount: number;
  userCount: number;
  /** Staff's own daily payout caps for the partner, by currency, in minor units. */
  dailyPayoutCaps: Record<string, bigint>;
};

function decodeCaps(value: unknown): Record<string, bigint> {
  const caps: Record<string, bigint> = {};
  for (const [currency, cap] of Object.entries((value ?? {}) as Record<string, string>)) caps[currency] = BigInt(cap);
  return caps;
}

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
  return { ...row, keyCount: 0, userCount: 0, dailyPayoutCaps: decodeCaps(row.dailyPayoutCaps) };
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

const partnerColumns = `p.id, p.name, p.created_at as "createdAt", p.created_by as "createdBy",
  (select count(*) from api_keys k where k.partner_id = p.id and k.revoked_at is null)::int as "keyCount",
  (select count(*) from users u where u.partner_id = p.id)::int as "userCount",
  p.daily_payout_caps as "dailyPayoutCaps"`;

type RawPartnerRow = Omit<PartnerRow, "dailyPayoutCaps"> & { dailyPayoutCaps: unknown };

const decodePartner = (row: RawPartnerRow): PartnerRow => ({ ...row, dailyPayoutCaps: decodeCaps(row.dailyPayoutCaps) });

export async function listPartners(db: Queryable): Promise<PartnerRow[]> {
  const { rows } = await db.query<RawPartnerRow>(`select ${partnerColumns} from partners p order by p.created_at, p.id`);
  return rows.map(decodePartner);
}

/**
 * Sets (or, for null, removes) the partner's own daily payout caps of the currencies named; the
 * others stay. The audit row (before and after) is written in the same statement. Null when
 * there is no such partner.
 */
export async function updatePartnerDailyPayoutCaps(
  db: Queryable,
  partnerId: string,
  caps: Array<{ currency: string; cap: bigint | null }>,
  audit: { actor: string; ip: string | null },
): Promise<PartnerRow | null> {
  const set = Object.fromEntries(caps.filter((c) => c.cap !== null).map((c) => [c.currency, c.cap!.toString()]));
  const removed = caps.filter((c) => c.cap === null).map((c) => c.currency);
  const { rows } = await db.query<RawPartnerRow>({
    name: "tenancy-update-partner-caps",
    text: `with old as (select id, daily_payout_caps from partners where id = $1 for update),
           updated as (
             update partners p set daily_payout_caps = (p.daily_payout_caps - $3::text[]) || $2::jsonb
             from old where p.id = old.id
             returning p.*, old.daily_payout_caps as before
           ), audited as (
             insert into audit_logs (actor, action, target, ip, metadata)
             select $4, 'partner.limits_updated', 'partner:' || u.id, $5,
                    jsonb_build_object('dailyPayoutCaps', jsonb_build_object('before', u.before, 'after', u.daily_payout_caps))
             from updated u
             returning id
           )
           select ${partnerColumns} from updated p`,
    values: [partnerId, JSON.stringify(set), removed, audit.actor, audit.ip],
  });
  return rows[0] ? decodePartner(rows[0]) : null;
}

/** Each partner's payouts created today (UTC) by currency: the day's totals less what failed or was cancelled. */
export async function payoutsUsedToday(db: Queryable, partnerId?: string): Promise<Array<{ partnerId: string; currency: string; used: bigint }>> {
  const { rows } = await db.query<{ partner_id: string; currency: string; used: string }>({
    name: "tenancy-payouts-used-today",
    text: `select t.partner_id, t.currency, (t.amount - coalesce(r.amount, 0))::text as used
           from payout_day_totals t
           left join payout_day_returns r on r.partner_id = t.partner_id and r.currency = t.currency and r.day = t.day
           where t.day = (now() at time zone 'UTC')::date and ($1::text is null or t.partner_id = $1)`,
    values: [partnerId ?? null],
  });
  return rows.map((row) => ({ partnerId: row.partner_id, currency: row.currency, used: BigInt(row.used) }));
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
