import { DomainError, type CurrencyCode } from "@agrinet/core";
import type { Contract, Db, Tx } from "@agrinet/db";
import { lockContractRow } from "@agrinet/stores/contracts";

/** Reads a contract and locks its row until the transaction ends (settlement serialises here). */
export async function lockContract(tx: Tx, contractId: string): Promise<Contract> {
  if (!(await lockContractRow(tx, contractId))) throw contractNotFound(contractId);
  return tx.contract.findUniqueOrThrow({ where: { id: contractId } });
}

export async function findContract(db: Db | Tx, contractId: string): Promise<Contract> {
  const contract = await db.contract.findUnique({ where: { id: contractId } });
  if (!contract) throw contractNotFound(contractId);
  return contract;
}

export function contractNotFound(contractId: string, field = "contractId"): DomainError {
  return new DomainError("NOT_FOUND", `no contract ${contractId}`, {
    fields: [{ path: field, message: "unknown contract" }],
  });
}

export function contractCurrency(contract: Contract): CurrencyCode {
  return contract.currency as CurrencyCode;
}
