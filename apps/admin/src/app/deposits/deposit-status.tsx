import { StatusPill, type Tone } from "@agrinet/ui";

const tone: Record<string, Tone> = { pending: "warning", confirmed: "success", failed: "danger" };

export function DepositStatus({ status }: { status: string }) {
  return <StatusPill tone={tone[status] ?? "neutral"} label={status} />;
}

export {
  depositStatusValues as depositStatuses,
  depositMethodValues as depositMethods,
  depositCurrencyValues as currencies,
} from "./deposit-filters";
export const methodLabel: Record<string, string> = { mpesa: "M-Pesa", bank: "Bank", cash: "Cash", stripe: "Stripe" };

/** The ledger account a confirmation credits: the contract's escrow, or the user's wallet. */
export function creditedAccount(deposit: { userId: string; contractId: string | null; currency: string }): string {
  return deposit.contractId
    ? `contract:${deposit.contractId}:escrow:${deposit.currency}`
    : `user:${deposit.userId}:wallet:${deposit.currency}`;
}
