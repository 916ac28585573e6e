import { z } from "zod";

/** Keyset pagination input shared by every list: an opaque cursor and a bounded page size. */
export const pageInput = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type PageInput = z.infer<typeof pageInput>;

export function pageOutput<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

const maxInt8 = 9_223_372_036_854_775_807n;

/**
 * A cursor or id that is a PostgreSQL bigint: digits within int8's range, so a query never
 * fails casting it (a 500 for what is the caller's mistake).
 */
export const int8IdInput = (message = "expected a cursor from a previous page") =>
  z
    .string()
    .regex(/^\d{1,19}$/, message)
    .refine((value) => BigInt(value) <= maxInt8, message);

/** A partner's id (`partner_…`), e.g. the staff-only partner filter of lists. */
export const partnerIdInput = z.string().regex(/^partner_[A-Za-z0-9_]{1,64}$/, "expected a partner id (partner_…)");
