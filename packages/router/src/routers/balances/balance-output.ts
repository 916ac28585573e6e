import { minorUnitsOutput } from "@agrinet/core";
import { z } from "zod";

export const accountBalanceOutput = z.object({
  account: z.string(),
  ownerType: z.string(),
  ownerId: z.string(),
  purpose: z.string(),
  currency: z.string(),
  allowNegative: z.boolean(),
  posted: minorUnitsOutput,
  held: minorUnitsOutput,
  available: minorUnitsOutput,
});
