import { isoDateOutput } from "@agrinet/schemas";
import { z } from "zod";
import { partnerIdFilterInput } from "../../tenancy";

export const partnerIdInput = partnerIdFilterInput;

export const partnerOutput = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: isoDateOutput,
    createdBy: z.string(),
    /** Live (unrevoked) keys. */
    keyCount: z.number().int(),
    /** Users whose home partner this is. */
    userCount: z.number().int(),
  })
  .meta({ id: "Partner" });
