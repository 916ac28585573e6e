import { z } from "zod";

// Outputs leave as JSON strings. The trailing `.pipe(z.string())` lets the OpenAPI generator
// describe what the client receives (a transform alone has no JSON Schema).

/** A timestamp as an ISO 8601 string. */
export const isoDateOutput = z
  .date()
  .transform((date) => date.toISOString())
  .pipe(z.string());

export const nullableIsoDateOutput = z
  .date()
  .nullable()
  .transform((date) => date?.toISOString() ?? null)
  .pipe(z.string().nullable());

/** A bigint database id (ledger transactions, postings) as a string of digits. */
export const bigintIdOutput = z
  .bigint()
  .transform((id) => id.toString())
  .pipe(z.string());

export const nullableBigintIdOutput = z
  .bigint()
  .nullable()
  .transform((id) => id?.toString() ?? null)
  .pipe(z.string().nullable());
