import { DomainError } from "@agrinet/core";
import type { Contract, Db, Tx } from "@agrinet/db";
import { contractEscrowAccount } from "../ledger/account-codes";
import { getAccountBalance } from "../ledger";
import type { ContractView } from "./contract-types";
import { contractCurrency, findContract } from "./load-contract";

export async function escrowBalance(db: Db | Tx, contract: Contract): Promise<bigint> {
  const balance = await getAccountBalance(db, {
    account: contractEscrowAccount(contract.id, contractCurrency(contract)),
  });
  return balance?.posted ?? 0n;
}

export async function toContractView(db: Db | Tx, contract: Contract): Promise<ContractView> {
  return {
    id: contract.id,
    partnerId: contract.partnerId,
    consumerId: contract.consumerId,
    producerId: contract.producerId,
    currency: contractCurrency(contract),
    expectedAmount: contract.expectedAmount,
    status: contract.status,
    escrowBalance: await escrowBalance(db, contract),
    settledAmount: contract.settledAmount,
    ratingWindowEndsAt: contract.ratingWindowEndsAt,
    metadata: contract.metadata as Record<string, unknown>,
    createdAt: contract.createdAt,
    settledAt: contract.settledAt,
  };
}

export async function getContract(options: {
  db: Db | Tx;
  contractId: string;
  /** An end user may read only contracts they are a party to. */
  asUserId?: string;
}): Promise<ContractView> {
  const contract = await findContract(options.db, options.contractId);
  if (options.asUserId && ![contract.consumerId, contract.producerId].includes(options.asUserId)) {
    throw new DomainError("FORBIDDEN", "only the contract's parties may read it");
  }
  return toContractView(options.db, contract);
}
