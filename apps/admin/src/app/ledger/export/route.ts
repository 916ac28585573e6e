import type { AppRouter } from "@agrinet/router";
import type { inferRouterOutputs } from "@trpc/server";
import type { NextRequest } from "next/server";
import { decimalAmount, streamCsvExport } from "../../../csv/stream-csv-export";
import { filtersFromSearchParams, listInput } from "../ledger-filters";

type Transaction = inferRouterOutputs<AppRouter>["transactions"]["list"]["items"][number];

export const dynamic = "force-dynamic";

/** The filtered transactions as CSV, one row per posting. */
export async function GET(request: NextRequest): Promise<Response> {
  const filters = filtersFromSearchParams(request.nextUrl.searchParams);
  return streamCsvExport<Transaction>({
    request,
    procedure: "transactions.list",
    input: (cursor) => listInput(filters, { cursor, limit: 200 }),
    header: [
      "transaction_id",
      "created_at",
      "kind",
      "contract_id",
      "idempotency_key",
      "posting_id",
      "account",
      "currency",
      "amount",
      "amount_minor_units",
      "balance_after_minor_units",
    ],
    rows: (transaction) =>
      transaction.postings.map((posting) => [
        transaction.id,
        transaction.createdAt,
        transaction.kind,
        transaction.contractId ?? "",
        transaction.idempotencyKey,
        posting.id,
        posting.account,
        posting.currency,
        decimalAmount(posting.amount, posting.currency),
        posting.amount,
        posting.balanceAfter,
      ]),
    filename: "ledger-transactions",
  });
}
