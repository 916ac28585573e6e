/**
 * Racing confirmations (or duplicate creates) of one deposit queue on its row lock, each holding
 * a pooled connection while it waits. Prisma's defaults — 2 s to get a connection, 5 s to finish —
 * would turn a busy queue into P2028 errors instead of the 409 each loser should get.
 */
export const depositTransactionOptions = { maxWait: 15_000, timeout: 30_000 } as const;
