import { StatusPill, type Tone } from "@agrinet/ui";

const tone: Record<string, Tone> = { pending: "warning", confirmed: "success", failed: "danger" };

export function DepositStatus({ status }: { status: string }) {
  return <StatusPill tone={tone[status] ?? "neutral"} label={status} />;
}

export const depositStatuses = ["pending", "confirmed", "failed"] as const;
export const depositMethods = ["mpesa", "bank", "cash", "stripe"] as const;
export const methodLabel: Record<string, string> = { mpesa: "M-Pesa", bank: "Bank", cash: "Cash", stripe: "Stripe" };
export const currencies = ["KES", "TZS", "UGX", "USD"] as const;

/** The ledger account a confirmation credits: the contract's escrow, or the user's wallet. */
export function creditedAccount(deposit: { userId: string; contractId: string | null; currency: string }): string {
  return deposit.contractId
    ? `contract:${deposit.contractId}:escrow:${deposit.currency}`
    : `user:${deposit.userId}:wallet:${deposit.currency}`;
}
