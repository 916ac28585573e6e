import { supportedCurrencies } from "@agrinet/core";
import { z } from "zod";

const instant = (field: string) =>
  z.iso.datetime({ offset: true, error: `${field}: expected an ISO 8601 date-time` })
    .or(z.iso.date({ error: `${field}: expected an ISO 8601 date` }))
    .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00Z` : value));

export const periodInput = z.object({
  from: instant("from"),
  to: instant("to"),
  currency: z
    .string()
    .length(3)
    .transform((c) => c.toUpperCase())
    .meta({ description: "ISO 4217 currency code", override: { type: "string", enum: [...supportedCurrencies] } })
    .optional(),
});

/** `groupBy=producer,day` on the REST side; an array over tRPC. */
export const groupByInput = z
  .union([z.array(z.enum(["producer", "day"])), z.string()])
  .transform((value, ctx) => {
    const parts = Array.isArray(value) ? value : value.split(",").filter(Boolean);
    for (const part of parts) {
      if (part !== "producer" && part !== "day") {
        ctx.addIssue({ code: "custom", message: `unknown grouping "${part}"; use producer, day` });
        return z.NEVER;
      }
    }
    return parts as Array<"producer" | "day">;
  })
  .meta({
    description: "Comma-separated groupings over REST (an array over tRPC)",
    override: { type: "string", enum: ["producer", "day", "producer,day", "day,producer"] },
  });

const amount = z.object({ count: z.number(), amount: z.string(), formatted: z.string() });

export const settlementRowOutput = z.object({
  currency: z.string(),
  producerId: z.string().nullable().optional(),
  day: z.string().optional(),
  depositsConfirmed: amount,
  payoutsPaid: amount,
  payoutsFailed: amount,
  escrowFunded: amount,
  escrowReleased: amount,
  escrowRefunded: amount,
  closingHeld: amount,
  closingEscrow: amount,
});

export const settlementSummaryOutput = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.array(z.enum(["producer", "day"])),
  source: z.literal("domain_events"),
  rows: z.array(settlementRowOutput),
}).meta({ id: "SettlementSummary" });
