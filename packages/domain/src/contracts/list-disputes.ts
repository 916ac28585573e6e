import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { escrowBalance } from "./get-contract";

/** Disputes for the operators' queue, oldest open first, with the narrative that opened them. */
export async function listDisputes(options: {
  db: Db;
  status?: "open" | "resolved";
  cursor?: string;
  limit: number;
}) {
  const { db, limit } = options;
  const rows = await db.dispute.findMany({
    where: { status: options.status },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
    include: { contract: true },
  });
  const page = rows.slice(0, limit);
  const ratings = await db.rating.findMany({
    where: { id: { in: page.map((d) => d.ratingId) } },
  });
  const narratives = new Map(ratings.map((r) => [r.id, r.narrative]));
  const items = await Promise.all(
    page.map(async (dispute) => ({
      ...dispute,
      narrative: narratives.get(dispute.ratingId) ?? null,
      escrowBalance: await escrowBalance(db, dispute.contract),
    })),
  );
  return { items, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

export async function getDispute(options: { db: Db; disputeId: string }) {
  const dispute = await options.db.dispute.findUnique({
    where: { id: options.disputeId },
    include: { contract: true },
  });
  if (!dispute) {
    throw new DomainError("NOT_FOUND", `no dispute ${options.disputeId}`, {
      fields: [{ path: "disputeId", message: "unknown dispute" }],
    });
  }
  const rating = await options.db.rating.findUniqueOrThrow({
    where: { id: dispute.ratingId },
    include: { annotations: { orderBy: { createdAt: "asc" } } },
  });
  return {
    ...dispute,
    narrative: rating.narrative,
    rating,
    escrowBalance: await escrowBalance(options.db, dispute.contract),
  };
}
