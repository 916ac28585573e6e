import type { Db } from "@agrinet/db";

/**
 * The demo data set behind `pnpm start` and `pnpm db:seed`. Every step is idempotent (keyed by
 * stable references) so running it on every start changes nothing the second time.
 */
export async function seedDemoData(options: { db: Db }): Promise<string> {
  const steps: string[] = [];
  void options;
  return steps.length ? steps.join(", ") : "nothing to seed yet";
}
