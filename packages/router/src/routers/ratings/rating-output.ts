import { isoDateOutput } from "@agrinet/schemas";
import { z } from "zod";

export const ratingOutput = z.object({
  id: z.string(),
  contractId: z.string(),
  raterRole: z.enum(["consumer", "producer"]),
  raterId: z.string(),
  rateeId: z.string(),
  value: z.number().int(),
  narrative: z.string().nullable(),
  isDefault: z.boolean(),
  createdAt: isoDateOutput,
}).meta({ id: "Rating" });
