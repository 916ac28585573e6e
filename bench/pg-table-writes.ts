import type pg from "pg";

/**
 * Rows written per item by table since the last pg_stat_reset(): inserts, updates and how many
 * of those were HOT. An update that is not HOT (an indexed column changed, or no room on the
 * row's page) writes an entry in every index of the table; a HOT one writes none.
 */
export async function printTableWrites(client: pg.ClientBase, items: number, itemName: string, say: (line: string) => void) {
  // Backends flush their counters when idle for a moment; give them one.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const { rows } = await client.query<{ relname: string; ins: string; upd: string; hot: string; indexes: number }>(
    `select t.relname, round(t.n_tup_ins::numeric / $1, 2)::text as ins, round(t.n_tup_upd::numeric / $1, 2)::text as upd,
            round(t.n_tup_hot_upd::numeric / $1, 2)::text as hot,
            (select count(*)::int from pg_index i where i.indrelid = t.relid) as indexes
     from pg_stat_user_tables t where t.n_tup_ins + t.n_tup_upd >= $1 / 10
     order by t.n_tup_upd + t.n_tup_ins desc limit 15`,
    [Math.max(items, 1)],
  );
  say(`PostgreSQL rows written per ${itemName} by table (inserts; updates, of which HOT; the table's indexes):`);
  for (const r of rows) say(`  ${r.relname}: ${r.ins} inserted; ${r.upd} updated, ${r.hot} HOT; ${r.indexes} indexes`);
}
