/**
 * What the customer does with an STK Push prompt, chosen by the phone number the push names (the
 * last nine digits, as for B2C): any other number pays.
 */
export type StkOutcome =
  | "success"
  | "cancelled"
  | "wrong-pin"
  | "unreachable"
  | "insufficient-funds"
  | "no-callback"
  | "duplicate-callback"
  | "slow"
  | "different-amount";

export const stkOutcomeBySubscriberNumber: Readonly<Record<string, StkOutcome>> = {
  "700000011": "cancelled",
  "700000012": "wrong-pin",
  "700000013": "unreachable",
  "700000014": "insufficient-funds",
  "700000015": "no-callback",
  "700000016": "duplicate-callback",
  "700000017": "slow",
  "700000018": "different-amount",
};

export function stkOutcomeForNumber(phoneNumber: string): StkOutcome {
  return stkOutcomeBySubscriberNumber[phoneNumber.replace(/\D/g, "").slice(-9)] ?? "success";
}

const paid = { code: 0, description: "The service request is processed successfully." };

/** The STK result codes Daraja reports for these situations. */
export const stkResultCodes: Readonly<Record<StkOutcome, { code: number; description: string }>> = {
  success: paid,
  "no-callback": paid,
  "duplicate-callback": paid,
  slow: paid,
  "different-amount": paid,
  cancelled: { code: 1032, description: "Request cancelled by user" },
  "wrong-pin": { code: 2001, description: "The initiator information is invalid." },
  unreachable: { code: 1037, description: "DS timeout user cannot be reached" },
  "insufficient-funds": { code: 1, description: "The balance is insufficient for the transaction." },
};
