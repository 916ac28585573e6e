import type { Db } from "@agrinet/db";
import { createPartnerKey } from "../auth/partner-keys";
import { createStaffUser } from "../auth/staff-users";
import { rateDemoContracts, registerDemoContracts } from "./seed-demo-contracts";
import { seedDemoDeposits } from "./seed-demo-deposits";

export type SeedAccess = {
  adminEmail: string;
  adminPassword: string;
  /** Used exactly as given, so scripts and tests can call the API at once. */
  partnerApiKey: string;
  /** A second partner's key (the "Demo coop app"), to try partner isolation with; omitted, none. */
  secondPartnerApiKey?: string;
  /** Every partner scope: the demo key may call everything a partner can. */
  partnerScopes: readonly string[];
};

const seedActor = "system:seed";

/** The demo's second partner; the README's first key is the default partner's. */
export const demoSecondPartnerId = "partner_demo_coop";

/**
 * The demo data set behind `pnpm start` and `pnpm db:seed`. Every step is idempotent (keyed by
 * stable references) so running it on every start changes nothing the second time.
 */
export async function seedDemoData(options: { db: Db; access?: SeedAccess }): Promise<string> {
  const { db, access } = options;
  const steps: string[] = [];
  if (access) {
    // One member per role, so the dashboard can be tried (and tested) as each of them: the
    // operator and viewer share the admin's password and mail domain.
    const adminEmail = access.adminEmail.trim().toLowerCase();
    const domain = adminEmail.slice(adminEmail.indexOf("@") + 1);
    const staff = [
      { email: adminEmail, name: "Demo admin", role: "admin" as const },
      { email: `operator@${domain}`, name: "Demo operator", role: "operator" as const },
      { email: `viewer@${domain}`, name: "Demo viewer", role: "viewer" as const },
    ];
    for (const member of staff) {
      const existing = await db.staffUser.findUnique({ where: { email: member.email }, select: { id: true } });
      if (existing) continue;
      await createStaffUser({ db, ...member, password: access.adminPassword, actor: seedActor });
      steps.push(`${member.role} ${member.email}`);
    }
    const key = await createPartnerKey({
      db,
      name: "Demo partner",
      scopes: [...access.partnerScopes],
      key: access.partnerApiKey,
      actor: seedActor,
    });
    if (key.created) steps.push(`partner key ${key.start}…`);
    if (access.secondPartnerApiKey) {
      await db.partner.upsert({
        where: { id: demoSecondPartnerId },
        create: { id: demoSecondPartnerId, name: "Demo coop app", createdBy: seedActor },
        update: {},
      });
      const second = await createPartnerKey({
        db,
        name: "Demo coop app",
        scopes: [...access.partnerScopes],
        key: access.secondPartnerApiKey,
        partnerId: demoSecondPartnerId,
        actor: seedActor,
      });
      if (second.created) steps.push(`second partner (${demoSecondPartnerId}) key ${second.start}…`);
    }
  }
  const contracts = await registerDemoContracts({ db });
  const deposits = await seedDemoDeposits({ db });
  const ratings = await rateDemoContracts({ db });
  if (contracts.length) steps.push(`${contracts.length} demo contracts`);
  if (deposits.length) steps.push(`${deposits.length} demo deposit steps`);
  if (ratings.length) steps.push(`${ratings.length} demo ratings`);
  return steps.length ? steps.join(", ") : "nothing to seed";
}
