import { createDb } from "@agrinet/db";
import { seedDemoData as seed } from "@agrinet/domain";
import { partnerScopes } from "@agrinet/router";
import type { SeedEnv } from "./env";

/** Loads the demo data set; safe to run on every start (each item is created once). */
export async function seedDemoData(databaseUrl: string, env: SeedEnv): Promise<string> {
  const db = createDb({ connectionString: databaseUrl, maxConnections: 2 });
  try {
    const summary = await seed({
      db,
      access: {
        adminEmail: env.SEED_ADMIN_EMAIL,
        adminPassword: env.SEED_ADMIN_PASSWORD,
        partnerApiKey: env.SEED_PARTNER_API_KEY,
        secondPartnerApiKey: env.SEED_SECOND_PARTNER_API_KEY,
        partnerScopes,
      },
    });
    return `demo data: ${summary}`;
  } finally {
    await db.$disconnect();
  }
}
