"use client";
import { Card, Money, StatusPill, type Tone } from "@agrinet/ui";
import type { AppRouter } from "@agrinet/router";
import type { inferRouterOutputs } from "@trpc/server";

type MpesaPayment = NonNullable<inferRouterOutputs<AppRouter>["deposits"]["get"]["mpesaPayment"]>;

/** What the payer's phone is doing, in the words an operator uses. */
const stkStates: Record<string, { label: string; tone: Tone }> = {
  requesting: { label: "sending the prompt", tone: "neutral" },
  sent: { label: "awaiting PIN", tone: "warning" },
  paid: { label: "paid", tone: "success" },
  cancelled: { label: "cancelled by the payer", tone: "danger" },
  failed: { label: "failed", tone: "danger" },
  no_answer: { label: "no answer", tone: "danger" },
  validated: { label: "validated", tone: "neutral" },
  rejected: { label: "rejected at validation", tone: "danger" },
};

export function mpesaStateLabel(payment: Pick<MpesaPayment, "state" | "flaggedAt">): { label: string; tone: Tone } {
  if (payment.flaggedAt && payment.state !== "paid") return { label: "no answer — flagged for staff", tone: "danger" };
  return stkStates[payment.state] ?? { label: payment.state, tone: "neutral" };
}

/** The M-Pesa side of a deposit: the STK prompt's state (live while pending), the receipt, what M-Pesa said. */
export function MpesaPaymentPanel({ payment }: { payment: MpesaPayment }) {
  const state = mpesaStateLabel(payment);
  const rows: Array<[string, React.ReactNode]> = [
    [payment.kind === "stk" ? "STK Push" : "Paybill payment", <StatusPill key="s" tone={state.tone} label={state.label} />],
    ["Phone", payment.phoneNumber ?? "—"],
    ["Receipt", payment.receipt ? <span className="font-mono">{payment.receipt}</span> : "—"],
    ["Paid", payment.amount ? <Money amount={payment.amount} currency={payment.currency} /> : "—"],
    ["M-Pesa said", payment.resultCode ? `${payment.resultCode}: ${payment.resultDesc ?? ""}` : "—"],
  ];
  if (payment.checkoutRequestId) rows.push(["Checkout request", <span key="c" className="font-mono text-xs">{payment.checkoutRequestId}</span>]);
  if (payment.kind === "stk" && payment.state !== "paid") rows.push(["Status queries", String(payment.queries)]);
  if (payment.exception) rows.push(["Unmatched", `${payment.exception}: ${payment.exceptionReason ?? ""}`]);
  return (
    <Card title="M-Pesa">
      <dl className="divide-y divide-slate-100" data-testid="mpesa-payment">
        {rows.map(([label, value]) => (
          <div key={label} className="grid grid-cols-3 gap-3 px-5 py-2.5">
            <dt className="text-sm text-slate-600">{label}</dt>
            <dd className="col-span-2 break-words text-sm text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
