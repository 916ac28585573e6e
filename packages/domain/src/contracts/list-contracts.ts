import type { Db } from "@agrinet/db";
import type { ContractView } from "./contract-types";
import { toContractView } from "./get-contract";

export async function listContracts(options: {
  db: Db;
  userId?: string;
  partnerId?: string;
  status?: ContractView["status"];
  cursor?: string;
  limit: number;
}): Promise<{ items: ContractView[]; nextCursor: string | null }> {
  const { db, limit, userId } = options;
  const rows = await db.contract.findMany({
    where: {
      status: options.status,
      ...(options.partnerId ? { partnerId: options.partnerId } : {}),
      ...(userId ? { OR: [{ consumerId: userId }, { producerId: userId }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  return {
    items: await Promise.all(page.map((row) => toContractView(db, row))),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}
