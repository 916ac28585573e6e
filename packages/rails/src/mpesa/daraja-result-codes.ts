import type { PayoutOutcome, PayoutStatus } from "../payout-rail";

/**
 * Non-zero Daraja result codes that mean "M-Pesa did not process it this time" rather than "it
 * will never work": the payout is retried with the same OriginatorConversationID. Everything else
 * non-zero is final (insufficient float, invalid or unregistered recipient, bad initiator, …):
 * retrying those would only repeat the failure while the producer's funds stay held.
 */
const retryableResultCodes = new Set([
  "17", // system internal error
  "26", // system busy / traffic blocking
  "SFC_IC0003", // timed out in the queue before processing
]);

/** Daraja's answer when a status query names an OriginatorConversationID it never received. */
const unknownTransactionCodes = new Set(["R000002", "R000001"]);

export function classifyDarajaResult(
  resultCode: string,
  resultDesc: string,
  transactionId: string | undefined,
): PayoutOutcome {
  if (resultCode === "0") {
    if (!transactionId) return { kind: "pending-callback" };
    return { kind: "paid", providerReference: transactionId };
  }
  if (retryableResultCodes.has(resultCode)) return { kind: "retryable", code: `MPESA_${resultCode}`, message: resultDesc };
  return {
    kind: "failed-final",
    code: `MPESA_${resultCode}`,
    message: resultDesc,
    ...(transactionId ? { providerReference: transactionId } : {}),
  };
}

export function classifyDarajaStatusResult(
  resultCode: string,
  resultDesc: string,
  transactionStatus: string | undefined,
  receipt: string | undefined,
): PayoutStatus {
  if (unknownTransactionCodes.has(resultCode)) return { kind: "not-found" };
  if (resultCode !== "0") return classifyDarajaResult(resultCode, resultDesc, undefined);
  if (transactionStatus === "Completed" && receipt) return { kind: "paid", providerReference: receipt };
  if (transactionStatus === "Failed" || transactionStatus === "Declined" || transactionStatus === "Cancelled") {
    return { kind: "failed-final", code: `MPESA_STATUS_${transactionStatus.toUpperCase()}`, message: resultDesc };
  }
  return { kind: "pending-callback" };
}
