"use client";
import { Button, Card, EmptyState, LoadingRows, Money, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { SelectField, TextField, fieldError } from "../../components/form-controls";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";

type Grouping = "" | "day" | "producer";
type Period = { from: string; to: string; currency?: string; grouping: Grouping };

const metrics = [
  { key: "depositsConfirmed", label: "Deposits confirmed" },
  { key: "payoutsPaid", label: "Payouts paid" },
  { key: "payoutsFailed", label: "Payouts failed" },
  { key: "escrowFunded", label: "Escrow funded" },
  { key: "escrowReleased", label: "Escrow released" },
  { key: "escrowRefunded", label: "Escrow refunded" },
  { key: "closingHeld", label: "Closing held" },
  { key: "closingEscrow", label: "Closing escrow" },
] as const;

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return isoDay(date);
}

/** The last 30 UTC days, today included; `to` is exclusive on the API, so it is tomorrow. */
function defaultPeriod(): Period {
  const tomorrow = addDays(isoDay(new Date()), 1);
  return { from: addDays(tomorrow, -30), to: tomorrow, grouping: "" };
}

/** The query string the API's settlement routes take (same names as the procedure's input). */
function settlementQuery(period: Period): string {
  const params = new URLSearchParams({ from: period.from, to: period.to });
  if (period.currency) params.set("currency", period.currency);
  if (period.grouping) params.set("groupBy", period.grouping);
  return params.toString();
}

export function SettlementsView() {
  const trpc = useTRPC();
  const [period, setPeriod] = useState<Period>(defaultPeriod);
  const [formError, setFormError] = useState<string | null>(null);

  const input = {
    from: period.from,
    to: period.to,
    currency: period.currency,
    groupBy: period.grouping ? [period.grouping] : undefined,
  };
  const summary = useQuery({ ...trpc.settlements.getSummary.queryOptions(input), placeholderData: keepPreviousData });
  const trends = useQuery({
    ...trpc.settlements.getFederationTrends.queryOptions({ from: period.from, to: period.to, currency: period.currency }),
    placeholderData: keepPreviousData,
  });

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const from = String(form.get("from") ?? "");
    const toInclusive = String(form.get("to") ?? "");
    const currency = String(form.get("currency") ?? "").trim().toUpperCase();
    if (!from || !toInclusive) return setFormError("Choose a start and an end date.");
    if (toInclusive < from) return setFormError("The end date must be on or after the start date.");
    if (currency && !/^[A-Z]{3}$/.test(currency)) return setFormError("Currency: a three-letter ISO 4217 code such as KES.");
    setFormError(null);
    setPeriod({ from, to: addDays(toInclusive, 1), currency: currency || undefined, grouping: String(form.get("grouping") ?? "") as Grouping });
  }

  const query = settlementQuery(period);
  const label = (row: { currency: string; day?: string; producerId?: string | null }) =>
    [row.currency, row.day, row.producerId].filter(Boolean).join(" · ");

  return (
    <div className="flex flex-col gap-6">
      <Card id="settlement-period" title="Period">
        <form onSubmit={apply} aria-label="Settlement period" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
          <TextField id="settlement-from" name="from" type="date" label="From" defaultValue={period.from} required hint="Start of this day, UTC" />
          <TextField
            id="settlement-to"
            name="to"
            type="date"
            label="To"
            defaultValue={addDays(period.to, -1)}
            required
            hint="End of this day, UTC"
            error={formError ?? fieldError(summary.error, "to") ?? fieldError(summary.error, "from")}
          />
          <TextField id="settlement-currency" name="currency" label="Currency" placeholder="All" maxLength={3} hint="ISO 4217, e.g. KES" />
          <SelectField id="settlement-grouping" name="grouping" label="Rows per" defaultValue="">
            <option value="">Currency</option>
            <option value="day">Currency and day</option>
            <option value="producer">Currency and producer</option>
          </SelectField>
          <div className="flex items-end">
            <Button type="submit" className="w-full sm:w-auto">
              Show
            </Button>
          </div>
        </form>
      </Card>

      <Card
        id="settlement-summary"
        title="Summary"
        description={`${period.from} to ${addDays(period.to, -1)} (UTC)${period.currency ? `, ${period.currency} only` : ""}. Counts in brackets.`}
        actions={
          <>
            <a
              href={`/admin/settlements.csv?${query}`}
              download
              className="inline-flex items-center rounded-md bg-emerald-700 px-2.5 py-1.5 text-sm font-medium text-white hover:bg-emerald-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600"
            >
              Download CSV
            </a>
            <a
              href={`/admin/settlements?${query}`}
              download={`settlements-${period.from}-${period.to}.json`}
              className="inline-flex items-center rounded-md bg-white px-2.5 py-1.5 text-sm font-medium text-slate-900 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600"
            >
              Download JSON
            </a>
          </>
        }
      >
        {summary.isPending ? (
          <LoadingRows label="Loading the settlement summary…" />
        ) : summary.isError ? (
          <QueryError error={summary.error} what="the settlement summary" onRetry={() => void summary.refetch()} />
        ) : summary.data.rows.length === 0 ? (
          <EmptyState title="No settlements in this period">
            Nothing was confirmed, paid or moved through escrow. Widen the period or clear the currency.
          </EmptyState>
        ) : (
          <Table caption="Settlement summary" aria-busy={summary.isFetching || undefined}>
            <THead>
              <tr>
                <Th>{period.grouping === "day" ? "Currency · day" : period.grouping === "producer" ? "Currency · producer" : "Currency"}</Th>
                {metrics.map((metric) => (
                  <Th key={metric.key} align="right">
                    {metric.label}
                  </Th>
                ))}
              </tr>
            </THead>
            <TBody>
              {summary.data.rows.map((row) => (
                <Tr key={label(row)} data-testid="settlement-row">
                  <Td className="font-medium">{label(row)}</Td>
                  {metrics.map((metric) => (
                    <Td key={metric.key} align="right">
                      <Money amount={row[metric.key].amount} currency={row.currency} />
                      {metric.key.startsWith("closing") ? null : (
                        <span className="ml-1 text-xs text-slate-500">({row[metric.key].count})</span>
                      )}
                    </Td>
                  ))}
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>

      <Card
        id="settlement-trends"
        title="Daily trend"
        description="Per day and currency, as federated partner nodes receive it (settlements:read): no personal data."
      >
        {trends.isPending ? (
          <LoadingRows rows={3} label="Loading the daily trend…" />
        ) : trends.isError ? (
          <QueryError error={trends.error} what="the daily trend" onRetry={() => void trends.refetch()} />
        ) : trends.data.days.length === 0 ? (
          <EmptyState title="No daily activity in this period" />
        ) : (
          <Table caption="Daily settlement trend">
            <THead>
              <tr>
                <Th>Day</Th>
                <Th>Currency</Th>
                <Th align="right">Deposits confirmed</Th>
                <Th align="right">Payouts paid</Th>
                <Th align="right">Payouts failed</Th>
                <Th align="right">Closing held</Th>
              </tr>
            </THead>
            <TBody>
              {trends.data.days.map((day) => (
                <Tr key={`${day.day}-${day.currency}`}>
                  <Td>{day.day}</Td>
                  <Td>{day.currency}</Td>
                  <Td align="right">
                    <Money amount={day.depositsConfirmed.amount} currency={day.currency} />
                  </Td>
                  <Td align="right">
                    <Money amount={day.payoutsPaid.amount} currency={day.currency} />
                  </Td>
                  <Td align="right">
                    <Money amount={day.payoutsFailed.amount} currency={day.currency} />
                  </Td>
                  <Td align="right">
                    <Money amount={day.closingHeld.amount} currency={day.currency} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
    </div>
  );
}
