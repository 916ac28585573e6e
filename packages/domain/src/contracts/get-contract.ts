import type { Contract, Db, Tx } from "@agrinet/db";
import { contractEscrowAccount } from "../ledger/account-codes";
import { getAccountBalance } from "../ledger/ledger-balances";
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

export async function getContract(options: { db: Db | Tx; contractId: string }): Promise<ContractView> {
  return toContractView(options.db, await findContract(options.db, options.contractId));
}
