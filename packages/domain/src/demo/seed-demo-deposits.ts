import type { Db } from "@agrinet/db";
import { createDepositInput } from "@agrinet/schemas";
import { confirmDeposit } from "../deposits/confirm-deposit";
import { createDeposit } from "../deposits/create-deposit";

type DemoDeposit = {
  reference: string;
  userId: string;
  amount: number;
  currency: "KES" | "TZS" | "UGX" | "USD";
  method: "mpesa" | "bank" | "cash";
  contractId?: string;
  confirm: boolean;
};

const demoDeposits: DemoDeposit[] = [
  { reference: "DEMO-MPESA-0001", userId: "user_buyer1", amount: 250000, currency: "KES", method: "mpesa", confirm: true },
  { reference: "DEMO-MPESA-0002", userId: "user_buyer1", amount: 180000, currency: "KES", method: "mpesa", contractId: "contract_45ab", confirm: true },
  { reference: "DEMO-BANK-0001", userId: "user_buyer2", amount: 5000000, currency: "TZS", method: "bank", confirm: true },
  { reference: "DEMO-MPESA-0003", userId: "user_buyer2", amount: 75000, currency: "KES", method: "mpesa", confirm: false },
  { reference: "DEMO-MPESA-0004", userId: "user_buyer2", amount: 75000, currency: "KES", method: "mpesa", contractId: "contract_demo_dispute", confirm: true },
  { reference: "DEMO-CASH-0001", userId: "user_buyer3", amount: 120000, currency: "UGX", method: "cash", confirm: false },
  { reference: "DEMO-BANK-0002", userId: "user_buyer3", amount: 45000, currency: "USD", method: "bank", confirm: false },
];

/** A few pending and a few confirmed deposits, keyed by reference so a second run adds nothing. */
export async function seedDemoDeposits(options: { db: Db }): Promise<string[]> {
  const { db } = options;
  const steps: string[] = [];
  for (const demo of demoDeposits) {
    let deposit = await db.deposit.findFirst({ where: { reference: demo.reference, userId: demo.userId } });
    if (!deposit) {
      deposit = await createDeposit({
        db,
        input: createDepositInput.parse({
          userId: demo.userId,
          amount: demo.amount,
          currency: demo.currency,
          method: demo.method,
          reference: demo.reference,
          metadata: demo.contractId ? { contractId: demo.contractId } : {},
        }),
        minAmount: 0n,
        chargeStripe: null,
      });
      steps.push(`deposit ${demo.reference}`);
    }
    if (demo.confirm && deposit.status === "pending") {
      await confirmDeposit({
        db,
        depositId: deposit.id,
        confirmedBy: "system:seed",
        evidenceUrl: `https://cdn.example.org/uploads/${demo.reference.toLowerCase()}.jpg`,
      });
      steps.push(`confirmed ${demo.reference}`);
    }
  }
  return steps;
}
