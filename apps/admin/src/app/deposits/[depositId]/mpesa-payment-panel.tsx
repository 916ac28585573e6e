"use client";
import { Card, Money, StatusPill } from "@agrinet/ui";
import type { AppRouter } from "@agrinet/router";
import type { inferRouterOutputs } from "@trpc/server";
import { mpesaStateLabel } from "../deposit-status";

type MpesaPayment = NonNullable<inferRouterOutputs<AppRouter>["deposits"]["get"]["mpesaPayment"]>;

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
