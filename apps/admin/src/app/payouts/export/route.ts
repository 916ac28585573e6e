import type { AppRouter } from "@agrinet/router";
import type { inferRouterOutputs } from "@trpc/server";
import type { NextRequest } from "next/server";
import { decimalAmount, streamCsvExport } from "../../../csv/stream-csv-export";
import { payoutFiltersFromSearchParams } from "../payout-filters";

type Payout = inferRouterOutputs<AppRouter>["payouts"]["listPayouts"]["items"][number];

export const dynamic = "force-dynamic";

/** The payouts list as filtered on the page, one row per payout. */
export async function GET(request: NextRequest): Promise<Response> {
  const filters = payoutFiltersFromSearchParams(request.nextUrl.searchParams);
  return streamCsvExport<Payout>({
    request,
    procedure: "payouts.listPayouts",
    input: (cursor) => ({ ...filters, cursor, limit: 200 }),
    header: [
      "payout_id",
      "created_at",
      "user_id",
      "reference",
      "status",
      "currency",
      "amount",
      "amount_minor_units",
      "destination_type",
      "destination_account",
      "attempts",
      "last_error",
      "provider_reference",
      "run_id",
      "paid_at",
      "failed_at",
    ],
    rows: (payout) => [
      [
        payout.id,
        payout.createdAt,
        payout.userId,
        payout.reference,
        payout.status,
        payout.currency,
        decimalAmount(payout.amount, payout.currency),
        payout.amount,
        payout.destinationType,
        typeof payout.destination.account === "string" ? payout.destination.account : "",
        payout.attempts,
        payout.lastError,
        payout.providerReference,
        payout.batchId,
        payout.paidAt,
        payout.failedAt,
      ],
    ],
    filename: "payouts",
  });
}
