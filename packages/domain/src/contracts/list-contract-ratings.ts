import type { Db } from "@agrinet/db";
import type { RaterRole } from "./contract-types";
import { findContract } from "./load-contract";

export type ContractRatingSummary = {
  id: string;
  raterRole: RaterRole;
  raterId: string;
  rateeId: string;
  value: number;
  isDefault: boolean;
  /** How many times a party contested it (contests annotate, never erase). */
  contests: number;
  createdAt: Date;
};

/**
 * A contract's ratings (at most one per role), without narratives: the -1 narrative belongs to
 * the dispute, which only operators and admins read.
 */
export async function listContractRatings(options: { db: Db; contractId: string }): Promise<ContractRatingSummary[]> {
  await findContract(options.db, options.contractId);
  const ratings = await options.db.rating.findMany({
    where: { contractId: options.contractId },
    orderBy: { createdAt: "asc" },
    include: { _count: { select: { annotations: true } } },
  });
  return ratings.map((rating) => ({
    id: rating.id,
    raterRole: rating.raterRole,
    raterId: rating.raterId,
    rateeId: rating.rateeId,
    value: rating.value,
    isDefault: rating.isDefault,
    contests: rating._count.annotations,
    createdAt: rating.createdAt,
  }));
}
