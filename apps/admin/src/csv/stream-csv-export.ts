import { csvCell } from "@agrinet/core/csv";
import { formatMinorUnits, isSupportedCurrency } from "@agrinet/core/money";
import type { NextRequest } from "next/server";
import { env } from "../env";

type Cell = string | number | bigint | null | undefined;
type Page<Item> = { items: Item[]; nextCursor: string | null };

/** An amount as a plain decimal ("1800.00"): what a spreadsheet reads as a number. */
export function decimalAmount(amount: string, currency: string): string {
  return isSupportedCurrency(currency) ? formatMinorUnits(BigInt(amount), currency).replaceAll(",", "") : amount;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** One page from a tRPC list procedure as the signed-in caller (their cookie), so access rules apply as usual. */
async function fetchPage<Item>(procedure: string, input: unknown, cookie: string): Promise<Page<Item>> {
  const url = new URL(`/trpc/${procedure}`, env.API_URL);
  url.searchParams.set("input", JSON.stringify(input));
  const response = await fetch(url, { headers: { cookie, accept: "application/json" }, cache: "no-store" });
  const body = (await response.json().catch(() => null)) as { result?: { data: Page<Item> }; error?: { message?: string } } | null;
  if (!response.ok || !body?.result) {
    throw new ApiError(response.ok ? 502 : response.status, body?.error?.message ?? `API answered ${response.status}`);
  }
  return body.result.data;
}

/**
 * A filtered list as CSV, the same query the page shows. Streamed page by page (200 at a time,
 * keyset cursor), fetched only as the download reads: memory stays flat however long the list.
 */
export async function streamCsvExport<Item>(options: {
  request: NextRequest;
  /** The tRPC list procedure, e.g. "payouts.listPayouts". */
  procedure: string;
  /** The procedure's input for one page. */
  input: (cursor: string | undefined) => unknown;
  header: string[];
  /** The CSV rows (cells) of one item. */
  rows: (item: Item) => Cell[][];
  /** The download's name, before its timestamp. */
  filename: string;
}): Promise<Response> {
  const cookie = options.request.headers.get("cookie") ?? "";
  const lines = (page: Page<Item>) =>
    page.items
      .flatMap(options.rows)
      .map((cells) => `${cells.map(csvCell).join(",")}\r\n`)
      .join("");
  let first: Page<Item>;
  try {
    first = await fetchPage<Item>(options.procedure, options.input(undefined), cookie);
  } catch (error) {
    const status = error instanceof ApiError ? error.status : 502;
    return new Response(`Export failed: ${(error as Error).message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  let cursor = first.nextCursor;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${options.header.join(",")}\r\n${lines(first)}`));
      if (!cursor) controller.close();
    },
    async pull(controller) {
      if (!cursor) return;
      try {
        const page = await fetchPage<Item>(options.procedure, options.input(cursor), cookie);
        controller.enqueue(encoder.encode(lines(page)));
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
      "content-disposition": `attachment; filename="${options.filename}-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
}
