import type { Db } from "@agrinet/db";
import { lbtasScale, type RaterRole } from "./contract-types";

export type RatingDistribution = {
  /** Party-given ratings per LBTAS level, "-1" to "4". */
  counts: Record<"-1" | "0" | "1" | "2" | "3" | "4", number>;
  /** Party-given ratings in all. */
  total: number;
  /** System defaults (+2) for a missed rating window, kept apart from real ratings. */
  defaults: number;
};

export type Reputation = {
  userId: string;
  /** How consumers rated this user as a producer. */
  asProducer: RatingDistribution;
  /** How producers rated this user as a consumer. */
  asConsumer: RatingDistribution;
};

function emptyDistribution(): RatingDistribution {
  return {
    counts: Object.fromEntries(lbtasScale.map((v) => [String(v), 0])) as RatingDistribution["counts"],
    total: 0,
    defaults: 0,
  };
}

/** LBTAS reputation is a distribution per role, never an average. */
export async function getReputation(options: { db: Db; userId: string }): Promise<Reputation> {
  const rows = await options.db.rating.groupBy({
    by: ["raterRole", "value", "isDefault"],
    where: { rateeId: options.userId },
    _count: { _all: true },
  });
  const reputation: Reputation = {
    userId: options.userId,
    asProducer: emptyDistribution(),
    asConsumer: emptyDistribution(),
  };
  for (const row of rows) {
    // The consumer rates the producer, and the producer rates the consumer.
    const role: RaterRole = row.raterRole;
    const distribution = role === "consumer" ? reputation.asProducer : reputation.asConsumer;
    if (row.isDefault) {
      distribution.defaults += row._count._all;
    } else {
      distribution.counts[String(row.value) as keyof RatingDistribution["counts"]] += row._count._all;
      distribution.total += row._count._all;
    }
  }
  return reputation;
}
