/**
 * The sandbox decides what happens to a B2C payment from the destination number alone, so a
 * test (or a person trying `pnpm start`) picks an outcome by picking a phone number. Only the
 * last nine digits count, so +2547…, +2557… and +2567… numbers behave alike.
 */
export type SandboxOutcome =
  | "success"
  | "insufficient-float"
  | "invalid-number"
  | "no-callback"
  | "duplicate-callback"
  | "slow"
  | "transient"
  | "queue-timeout";

export const outcomeBySubscriberNumber: Readonly<Record<string, SandboxOutcome>> = {
  "700000001": "insufficient-float",
  "700000002": "invalid-number",
  "700000003": "no-callback",
  "700000004": "duplicate-callback",
  "700000005": "slow",
  "700000006": "transient",
  "700000007": "queue-timeout",
};

export function outcomeForNumber(partyB: string): SandboxOutcome {
  const digits = partyB.replace(/\D/g, "");
  return outcomeBySubscriberNumber[digits.slice(-9)] ?? "success";
}

/** Result codes the sandbox reports, the same ones Daraja uses for these situations. */
export const sandboxResultCodes = {
  success: { code: 0, description: "The service request is processed successfully." },
  insufficientFloat: { code: 1, description: "The balance is insufficient for the transaction." },
  invalidNumber: {
    code: 2040,
    description:
      "Credit Party customer type (Unregistered or Registered Customer) can't be supported by the service.",
  },
  unknownOriginatorConversationId: {
    code: "R000002",
    description: "The OriginatorConversationID is invalid.",
  },
  queueTimeout: { code: "SFC_IC0003", description: "The request timed out while waiting in the queue." },
} as const;
