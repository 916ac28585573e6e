import { DomainError } from "@agrinet/core";
import type { Db, Deposit } from "@agrinet/db";

export type GetDepositOptions = {
  db: Db;
  depositId: string;
  /** An end user may see only their own deposits; anyone else's reads as not found. */
  onlyUserId?: string | undefined;
};

export async function getDeposit(options: GetDepositOptions): Promise<Deposit> {
  const deposit = await options.db.deposit.findUnique({ where: { id: options.depositId }, include: { mpesaPayment: true } });
  if (!deposit || (options.onlyUserId !== undefined && deposit.userId !== options.onlyUserId)) {
    throw new DomainError("NOT_FOUND", `no deposit ${options.depositId}`, {
      fields: [{ path: "depositId", message: "no such deposit" }],
    });
  }
  return deposit;
}
