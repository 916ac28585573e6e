import type { LedgerHoldStatus } from "./ledger-hold";
import { toLedgerDomainError } from "./ledger-sql-errors";
import type { LedgerClient } from "./ledger-types";

/** Releases a pending hold. Voiding an already voided or expired hold is a no-op. */
export async function voidHold(
  client: LedgerClient,
  input: { holdId: bigint },
): Promise<{ holdId: bigint; status: LedgerHoldStatus; replayed: boolean }> {
  try {
    const rows = await client.$queryRaw<
      Array<{ hold_id: bigint; replayed: boolean; status: LedgerHoldStatus }>
    >`select * from ledger_void_hold(${input.holdId}::bigint)`;
    return { holdId: rows[0]!.hold_id, status: rows[0]!.status, replayed: rows[0]!.replayed };
  } catch (error) {
    throw toLedgerDomainError(error);
  }
}

