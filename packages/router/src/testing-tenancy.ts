import type { Context } from "./context";

/**
 * For unit tests of the procedure builder (no database): a `db` under which the tenancy
 * middleware finds every user and record the input names to be the caller's own. Tenancy
 * itself is tested on PostgreSQL (apps/api tenancy-isolation.integration-test.ts).
 */
export function everythingOwnedDb(): Context["db"] {
  const query = async (config: { values?: unknown[] } | string, values?: unknown[]) => {
    const ids = ((typeof config === "string" ? values : config.values)?.[1] ?? []) as string[];
    return { rows: ids.map((id) => ({ id })), rowCount: ids.length };
  };
  return { $pool: { query } } as unknown as Context["db"];
}
