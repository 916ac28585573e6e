import type { Db } from "@agrinet/db";
import { registerContract } from "../contracts/register-contract";
import { submitRating } from "../contracts/submit-rating";

/**
 * The spec's contract_45ab (buyer user_buyer1, producer user_prod7), and one more trade for
 * the disputes queue. Registration comes before the deposits that fund them.
 */
export async function registerDemoContracts(options: { db: Db }): Promise<string[]> {
  const { db } = options;
  const demo = [
    { id: "contract_45ab", consumerId: "user_buyer1", producerId: "user_prod7", expectedAmount: 180_000n },
    { id: "contract_demo_dispute", consumerId: "user_buyer2", producerId: "user_prod8", expectedAmount: 75_000n },
  ];
  const steps: string[] = [];
  for (const contract of demo) {
    if (await db.contract.findUnique({ where: { id: contract.id }, select: { id: true } })) continue;
    await registerContract({ db, input: { ...contract, currency: "KES" } });
    steps.push(`contract ${contract.id}`);
  }
  return steps;
}

/**
 * Once funded, contract_45ab's buyer rates +3 (releasing its escrow to user_prod7, so the spec's
 * example payout with contractId works on the demo data), and the other buyer rates -1.
 */
export async function rateDemoContracts(options: { db: Db }): Promise<string[]> {
  const { db } = options;
  const ratings = [
    { contractId: "contract_45ab", raterId: "user_buyer1", rating: 3, narrative: undefined },
    {
      contractId: "contract_demo_dispute",
      raterId: "user_buyer2",
      rating: -1,
      narrative: "Half of the maize delivered was spoiled; the rest arrived a week late.",
    },
  ];
  const steps: string[] = [];
  for (const demo of ratings) {
    const contract = await db.contract.findUnique({ where: { id: demo.contractId } });
    if (contract?.status !== "funded") continue;
    await submitRating({
      db,
      raterId: demo.raterId,
      input: { contractId: demo.contractId, raterRole: "consumer", rating: demo.rating, narrative: demo.narrative },
    });
    steps.push(`rated ${demo.contractId}`);
  }
  return steps;
}
