import { createDb } from "@agrinet/db";
import { seedDemoData as seed } from "@agrinet/domain";

/** Loads the demo data set; safe to run on every start (each item is created once). */
export async function seedDemoData(databaseUrl: string): Promise<string> {
  const db = createDb({ connectionString: databaseUrl, maxConnections: 2 });
  try {
    const summary = await seed({ db });
    return `demo data: ${summary}`;
  } finally {
    await db.$disconnect();
  }
}
