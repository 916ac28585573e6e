"use client";
import type { AppRouter } from "@agrinet/router";
import { cx, StatusPill, type Tone } from "@agrinet/ui";
import type { inferRouterOutputs } from "@trpc/server";
import { describeFailure } from "./failure-reason";

export type PayoutItem = inferRouterOutputs<AppRouter>["payouts"]["getPayout"];
export type PayoutStatus = PayoutItem["status"];
export type DestinationType = PayoutItem["destinationType"];

export const payoutStatuses: PayoutStatus[] = ["queued", "processing", "paid", "failed", "cancelled"];
export const destinationTypes: DestinationType[] = ["mpesa", "stripe", "bank"];
export const payoutCurrencies = ["KES", "TZS", "UGX", "USD"] as const;

const statusTone: Record<PayoutStatus, Tone> = {
  queued: "info",
  processing: "warning",
  paid: "success",
  failed: "danger",
  cancelled: "neutral",
};

export const destinationLabel: Record<DestinationType, string> = {
  mpesa: "M-Pesa",
  stripe: "Stripe",
  bank: "Bank",
};

export function PayoutStatusPill({ status }: { status: PayoutStatus }) {
  return <StatusPill tone={statusTone[status]} label={status} />;
}

/** "M-Pesa +254708374149", "Bank · Jane Wanjiku · 0123456789 (KCB)". */
export function describeDestination(payout: Pick<PayoutItem, "destination" | "destinationType">): string {
  const destination = payout.destination as Record<string, unknown>;
  const text = (key: string) => (typeof destination[key] === "string" ? (destination[key] as string) : "");
  if (payout.destinationType === "bank") {
    const bank = text("bankCode");
    return [text("accountName"), `${text("account")}${bank ? ` (${bank})` : ""}`].filter(Boolean).join(" · ");
  }
  return text("account");
}

export { formatDateTime } from "@agrinet/ui";

type ErrorLike = { message: string; data?: { code?: string } | null };

/** What went wrong, in the words an operator can act on (the API's message names the fix). */
export function actionError(error: ErrorLike | null): string | null {
  if (!error) return null;
  if (!error.data) return "The API did not answer. Check that it is running (pnpm start) and try again.";
  if (error.data.code === "WORKER_OFFLINE") return `The payout worker is offline: ${error.message}`;
  return error.data.code ? `${error.message} (${error.data.code})` : error.message;
}

/**
 * Why a payout failed, in plain words; the provider's raw code and text stay one click away for
 * whoever talks to the provider. Words wrap whole (`break-words`), never mid-word.
 */
export function FailureNote({ lastError, compact = false }: { lastError: string | null; compact?: boolean }) {
  const failure = describeFailure(lastError);
  if (!failure) return null;
  return (
    <span className={cx("block whitespace-normal break-words text-xs text-red-800", compact ? "mt-1 max-w-[15rem]" : "")} data-testid="failure-reason">
      {failure.reason}
      {failure.code ? (
        <details className="mt-0.5 text-slate-600">
          <summary className="cursor-pointer">Provider answer ({failure.code})</summary>
          <span className="block font-mono">{failure.raw}</span>
        </details>
      ) : null}
    </span>
  );
}
