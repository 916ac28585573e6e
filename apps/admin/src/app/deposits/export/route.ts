import type { AppRouter } from "@agrinet/router";
import type { inferRouterOutputs } from "@trpc/server";
import type { NextRequest } from "next/server";
import { decimalAmount, streamCsvExport } from "../../../csv/stream-csv-export";
import { depositListFilters } from "../deposit-filters";

type Deposit = inferRouterOutputs<AppRouter>["deposits"]["list"]["items"][number];

export const dynamic = "force-dynamic";

/** The deposit queue as filtered on the page (same address parameters), one row per deposit. */
export async function GET(request: NextRequest): Promise<Response> {
  const filters = depositListFilters(request.nextUrl.searchParams);
  return streamCsvExport<Deposit>({
    request,
    procedure: "deposits.list",
    input: (cursor) => ({ ...filters, cursor, limit: 200 }),
    header: [
      "deposit_id",
      "created_at",
      "user_id",
      "method",
      "reference",
      "status",
      "currency",
      "amount",
      "amount_minor_units",
      "contract_id",
      "confirmed_by",
      "confirmed_at",
      "failure_code",
      "failure_reason",
      "ledger_transaction_id",
    ],
    rows: (deposit) => [
      [
        deposit.id,
        deposit.createdAt,
        deposit.userId,
        deposit.method,
        deposit.reference,
        deposit.status,
        deposit.currency,
        decimalAmount(deposit.amount, deposit.currency),
        deposit.amount,
        deposit.contractId,
        deposit.confirmedBy,
        deposit.confirmedAt,
        deposit.failureCode,
        deposit.failureReason,
        deposit.ledgerTransactionId,
      ],
    ],
    filename: "deposits",
  });
}
