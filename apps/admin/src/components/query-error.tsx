"use client";
import { Button } from "@agrinet/ui";

type ErrorWithData = { message: string; data?: { code?: string; requestId?: string } | null };

/** The one way a failed request is shown: what failed, why, a request id to quote, a retry. */
export function QueryError({
  error,
  what,
  onRetry,
}: {
  error: ErrorWithData;
  what: string;
  onRetry?: () => void;
}) {
  const code = error.data?.code;
  const unreachable = !error.data;
  if (code === "NOT_FOUND") {
    // Asking again will not make it exist: say so plainly, without codes or a retry.
    return (
      <div role="status" data-testid="not-found" className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-800">
        <p className="font-medium">We could not find {what}.</p>
        <p className="mt-1 text-slate-600">It may have been mistyped or never existed. Check the id in the address, or look it up from the list.</p>
      </div>
    );
  }
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">
      <p className="font-medium">Could not load {what}.</p>
      <p className="mt-1">
        {unreachable
          ? "The API did not answer. Check that it is running (pnpm start) and try again."
          : error.message}
      </p>
      {code || error.data?.requestId ? (
        <p className="mt-1 font-mono text-xs text-red-800">
          {code}
          {error.data?.requestId ? ` · request ${error.data.requestId}` : null}
        </p>
      ) : null}
      {onRetry ? (
        <Button variant="secondary" size="sm" className="mt-3" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}
