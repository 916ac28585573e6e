/**
 * A rail's answer in words an operator can act on. Payouts keep the rail's own code and text
 * (`MPESA_2040: Credit Party customer type …`); the dashboard leads with the plain reason and
 * keeps the raw answer in a detail for whoever talks to the provider.
 */
export type FailureReason = { reason: string; code: string | null; raw: string };

const plainReasons: Record<string, string> = {
  MPESA_1: "Our M-Pesa account did not have enough money to send this payout.",
  MPESA_2: "M-Pesa refused the amount: below the minimum it sends.",
  MPESA_3: "M-Pesa refused the amount: above the maximum it sends.",
  MPESA_4: "M-Pesa refused: the recipient's daily limit would be exceeded.",
  MPESA_8: "M-Pesa refused: the recipient's account balance limit would be exceeded.",
  MPESA_11: "M-Pesa refused: the organisation's account is not allowed to make this payment.",
  MPESA_17: "M-Pesa had an internal error; it is safe to try again.",
  MPESA_21: "M-Pesa refused the initiator: check the B2C initiator settings.",
  MPESA_26: "M-Pesa was too busy to take the payment; it is safe to try again.",
  MPESA_2001: "M-Pesa rejected our initiator credentials: check the B2C settings.",
  MPESA_2006: "The recipient's M-Pesa account is not active.",
  MPESA_2028: "M-Pesa does not allow this kind of payment from our account.",
  MPESA_2040: "The phone number is not registered for M-Pesa: ask the producer for a number that is.",
  MPESA_8006: "The recipient's M-Pesa account is locked.",
  MPESA_SFC_IC0003: "M-Pesa timed out before processing the payment; nothing was paid.",
  MPESA_QUEUE_TIMEOUT: "M-Pesa timed out before processing the payment; nothing was paid.",
  MPESA_R000001: "M-Pesa has no record of this payment.",
  MPESA_R000002: "M-Pesa has no record of this payment.",
  STRIPE_TRANSFER_REVERSED: "Stripe reversed the transfer; the money came back.",
  STRIPE_INSUFFICIENT_FUNDS: "Our Stripe balance did not cover this transfer.",
  STRIPE_ACCOUNT_INVALID: "The producer's Stripe account cannot receive transfers.",
  STRIPE_UNKNOWN: "Stripe did not answer clearly; the payout will be checked again.",
  BANK_REJECTED: "The bank rejected the transfer.",
};

/** Splits `CODE: message` and maps the code; an unknown code keeps the provider's own text. */
export function describeFailure(lastError: string | null | undefined): FailureReason | null {
  if (!lastError) return null;
  const match = /^([A-Z][A-Z0-9_]*):\s*(.*)$/s.exec(lastError.trim());
  if (!match) return { reason: lastError, code: null, raw: lastError };
  const [, code, message] = match as unknown as [string, string, string];
  const known = plainReasons[code] ?? (code.startsWith("MPESA_STATUS_") ? "M-Pesa reported the payment as not completed." : null);
  return { reason: known ?? (message || code), code, raw: lastError };
}
