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
