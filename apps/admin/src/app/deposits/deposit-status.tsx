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

/** What the payer's phone is doing, in the words an operator uses. */
const mpesaStates: Record<string, { label: string; tone: Tone }> = {
  requesting: { label: "sending the prompt", tone: "neutral" },
  sent: { label: "awaiting PIN", tone: "warning" },
  paid: { label: "paid", tone: "success" },
  cancelled: { label: "cancelled by the payer", tone: "danger" },
  failed: { label: "failed", tone: "danger" },
  no_answer: { label: "no answer", tone: "danger" },
  validated: { label: "validated", tone: "neutral" },
  rejected: { label: "rejected at validation", tone: "danger" },
};

export function mpesaStateLabel(payment: { state: string; flaggedAt: string | null }): { label: string; tone: Tone } {
  if (payment.flaggedAt && payment.state !== "paid") return { label: "no answer — flagged for staff", tone: "danger" };
  return mpesaStates[payment.state] ?? { label: payment.state, tone: "neutral" };
}

/** An STK Push deposit's prompt, beside its status in lists: live while the payer decides. */
export function StkState({ payment }: { payment: { kind: string; state: string; flaggedAt: string | null } | null | undefined }) {
  if (payment?.kind !== "stk") return null;
  const state = mpesaStateLabel(payment);
  return (
    <span data-testid="stk-state" data-state={payment.state}>
      <StatusPill tone={state.tone} label={`STK: ${state.label}`} />
    </span>
  );
}
