import { callLedgerVoidHold } from "@agrinet/stores/ledger";
import type { LedgerHoldStatus } from "./ledger-hold";
import { toLedgerDomainError } from "./ledger-sql-errors";
import type { LedgerClient } from "./ledger-types";

/** Releases a pending hold. Voiding an already voided or expired hold is a no-op. */
export async function voidHold(
  client: LedgerClient,
  input: { holdId: bigint },
): Promise<{ holdId: bigint; status: LedgerHoldStatus; replayed: boolean }> {
  try {
    return await callLedgerVoidHold(client, input.holdId);
  } catch (error) {
    throw toLedgerDomainError(error);
  }
}
