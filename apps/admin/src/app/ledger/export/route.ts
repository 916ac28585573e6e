import { csvCell } from "@agrinet/core/csv";
import { formatMinorUnits, isSupportedCurrency } from "@agrinet/core/money";
import type { AppRouter } from "@agrinet/router";
import type { inferRouterOutputs } from "@trpc/server";
import type { NextRequest } from "next/server";
import { env } from "../../../env";
import { filtersFromSearchParams, listInput, type LedgerFilters } from "../ledger-filters";

type Page = inferRouterOutputs<AppRouter>["transactions"]["list"];

export const dynamic = "force-dynamic";

const header = [
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
];


function decimal(amount: string, currency: string): string {
  return isSupportedCurrency(currency) ? formatMinorUnits(BigInt(amount), currency).replaceAll(",", "") : amount;
}

function rowsOf(page: Page): string {
  return page.items
    .flatMap((transaction) =>
      transaction.postings.map((posting) =>
        [
          transaction.id,
          transaction.createdAt,
          transaction.kind,
          transaction.contractId ?? "",
          transaction.idempotencyKey,
          posting.id,
          posting.account,
          posting.currency,
          decimal(posting.amount, posting.currency),
          posting.amount,
          posting.balanceAfter,
        ]
          .map(csvCell)
          .join(","),
      ),
    )
    .map((line) => `${line}\r\n`)
    .join("");
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** One page from the API as the signed-in caller (their cookie), so access rules apply as usual. */
async function fetchPage(filters: LedgerFilters, cookie: string, cursor?: string): Promise<Page> {
  const url = new URL("/trpc/transactions.list", env.API_URL);
  url.searchParams.set("input", JSON.stringify(listInput(filters, { cursor, limit: 200 })));
  const response = await fetch(url, { headers: { cookie, accept: "application/json" }, cache: "no-store" });
  const body = (await response.json().catch(() => null)) as {
    result?: { data: Page };
    error?: { message?: string };
  } | null;
  if (!response.ok || !body?.result) {
    throw new ApiError(response.ok ? 502 : response.status, body?.error?.message ?? `API answered ${response.status}`);
  }
  return body.result.data;
}

/**
 * The filtered transactions as CSV, one row per posting. Streamed page by page (200
 * transactions at a time, keyset cursor), fetched only as the download reads: memory stays
 * flat however large the ledger.
 */
export async function GET(request: NextRequest): Promise<Response> {
  const filters = filtersFromSearchParams(request.nextUrl.searchParams);
  const cookie = request.headers.get("cookie") ?? "";
  let first: Page;
  try {
    first = await fetchPage(filters, cookie);
  } catch (error) {
    const status = error instanceof ApiError ? error.status : 502;
    return new Response(`Export failed: ${(error as Error).message}\n`, {
      status,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  let cursor = first.nextCursor;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${header.join(",")}\r\n${rowsOf(first)}`));
      if (!cursor) controller.close();
    },
    async pull(controller) {
      if (!cursor) return;
      try {
        const page = await fetchPage(filters, cookie, cursor);
        controller.enqueue(encoder.encode(rowsOf(page)));
        cursor = page.nextCursor;
        if (!cursor) controller.close();
      } catch (error) {
        // Headers are gone already: failing the stream makes the download visibly incomplete
        // instead of silently short.
        controller.error(error);
      }
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="ledger-transactions-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
}
