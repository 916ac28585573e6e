import type { Contract, Tx } from "@agrinet/db";
import { emitDomainEvent } from "../events/emit-domain-event";
import { contractEscrowAccount, userWalletAccount } from "../ledger/account-codes";
import { postLedgerTransaction } from "../ledger/post-ledger-transaction";
import { escrowBalance } from "./get-contract";
import { contractCurrency } from "./load-contract";

export type EscrowSettlement = {
  outcome: "released" | "refunded";
  amount: bigint;
  ledgerTransactionId: bigint | null;
};

/**
 * Empties a contract's escrow into the producer's wallet (release) or back to the consumer's
 * (refund), and closes the contract. The caller holds the contract's row lock, so a deposit
 * cannot land in the escrow between the balance read and the posting.
 */
export async function settleEscrow(
  tx: Tx,
  contract: Contract,
  outcome: "released" | "refunded",
  metadata: Record<string, string>,
): Promise<EscrowSettlement> {
  const currency = contractCurrency(contract);
  const amount = await escrowBalance(tx, contract);
  const recipient = outcome === "released" ? contract.producerId : contract.consumerId;
  let ledgerTransactionId: bigint | null = null;
  if (amount > 0n) {
    const posted = await postLedgerTransaction(tx, {
      idempotencyKey: `contract:${contract.id}:${outcome === "released" ? "release" : "refund"}`,
      kind: outcome === "released" ? "escrow_release" : "refund",
      metadata: { contractId: contract.id, ...metadata },
      postings: [
        { account: contractEscrowAccount(contract.id, currency), amount: -amount, currency },
        { account: userWalletAccount(recipient, currency), amount, currency },
      ],
    });
    ledgerTransactionId = posted.id;
  }
  await tx.contract.update({
    where: { id: contract.id },
    data: { status: outcome, settledAmount: amount, settledAt: new Date() },
  });
  await emitDomainEvent(tx, {
    type: outcome === "released" ? "escrow.released" : "escrow.refunded",
    aggregateType: "contract",
    aggregateId: contract.id,
    userIds: [contract.consumerId, contract.producerId],
    payload: {
      contractId: contract.id,
      userId: recipient,
      amount,
      currency,
      ledgerTransactionId,
      ...metadata,
    },
  });
  return { outcome, amount, ledgerTransactionId };
}
