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
