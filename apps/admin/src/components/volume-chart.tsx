"use client";
import { Card, formatDay, Money, Table, TBody, THead, Td, Th, Tr, cx } from "@agrinet/ui";
import { formatMinorUnits, type CurrencyCode } from "@agrinet/core/money";
import { useId, useMemo, useState } from "react";
import type { Overview } from "./overview-panels";

type Day = { day: string; depositsConfirmed: string; payoutsPaid: string };

function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = new Date(`${from}T00:00:00Z`); at.toISOString().slice(0, 10) <= to; at.setUTCDate(at.getUTCDate() + 1)) {
    days.push(at.toISOString().slice(0, 10));
  }
  return days;
}

/** One figure above the chart; `swatch` is the colour of its bars, where it has bars. */
function Total({ label, swatch, amount, currency, note }: { label: string; swatch?: string; amount: bigint; currency: string; note?: string }) {
  return (
    <div>
      <dt className={cx("text-slate-600", swatch && "flex items-center gap-2")}>
        {swatch ? <span aria-hidden="true" className={cx("inline-block size-3 rounded-sm", swatch)} /> : null}
        {label}
      </dt>
      <dd className="font-medium">
        <Money amount={amount.toString()} currency={currency} />
        {note ? <span className="ml-1 font-normal text-slate-600">{note}</span> : null}
      </dd>
    </div>
  );
}

const width = 600;
const height = 160;
// Room left of the chart for the y axis labels.
const axisGutter = 72;

/**
 * 30 days of confirmed deposits and paid payouts for one currency, as inline SVG bars (no chart
 * library). The same numbers are in a table beside it, which is what screen readers get.
 */
export function VolumeChart({ volume }: { volume: Overview["volume"] }) {
  const currencies = useMemo(() => [...new Set(volume.days.map((d) => d.currency))].sort(), [volume.days]);
  const [chosen, setChosen] = useState<string | null>(null);
  const currency = chosen && currencies.includes(chosen) ? chosen : currencies[0];
  const [showTable, setShowTable] = useState(false);
  const tableId = useId();

  const days: Day[] = useMemo(() => {
    const byDay = new Map(volume.days.filter((d) => d.currency === currency).map((d) => [d.day, d]));
    return daysBetween(volume.from, volume.to).map(
      (day) => byDay.get(day) ?? { day, depositsConfirmed: "0", payoutsPaid: "0" },
    );
  }, [volume, currency]);

  // Bar heights are drawing only: amounts stay strings everywhere they are shown.
  const max = days.reduce((m, d) => {
    const a = BigInt(d.depositsConfirmed);
    const b = BigInt(d.payoutsPaid);
    return a > m ? a : b > m ? b : m;
  }, 0n);
  const busiest = days.find((d) => BigInt(d.depositsConfirmed) === max || BigInt(d.payoutsPaid) === max);
  const scale = (amount: string) => (max === 0n ? 0 : Number((BigInt(amount) * 1000n) / max) / 1000);
  const slot = width / days.length;
  const bar = Math.max(1, slot / 2 - 1);
  const totals = days.reduce(
    (t, d) => ({ deposits: t.deposits + BigInt(d.depositsConfirmed), payouts: t.payouts + BigInt(d.payoutsPaid) }),
    { deposits: 0n, payouts: 0n },
  );

  return (
    <Card
      id="volume"
      title="Volume, last 30 days"
      description={`Confirmed deposits and paid payouts per UTC day, ${formatDay(volume.from)} to ${formatDay(volume.to)}.`}
      actions={
        currencies.length > 1 ? (
          <div role="group" aria-label="Currency" className="flex gap-1">
            {currencies.map((code) => (
              <button
                key={code}
                type="button"
                aria-pressed={code === currency}
                onClick={() => setChosen(code)}
                className={cx(
                  "rounded-md px-2.5 py-1 text-sm ring-1 ring-inset ring-slate-300 focus-visible:outline-2 focus-visible:outline-emerald-600",
                  code === currency ? "bg-slate-900 text-white" : "bg-white text-slate-800 hover:bg-slate-50",
                )}
              >
                {code}
              </button>
            ))}
          </div>
        ) : null
      }
    >
      <div className="p-5">
        {!currency ? (
          <p className="text-sm text-slate-600">No deposits confirmed or payouts paid in the last 30 days.</p>
        ) : (
          <>
            <dl className="mb-4 flex flex-wrap gap-6 text-sm">
              <Total label="Deposits confirmed" swatch="bg-emerald-600" amount={totals.deposits} currency={currency} />
              <Total label="Payouts paid" swatch="bg-slate-500" amount={totals.payouts} currency={currency} />
              <Total label="Busiest day" amount={max} currency={currency} note={busiest && max > 0n ? `on ${formatDay(busiest.day)}` : undefined} />
            </dl>
            <svg
              viewBox={`${-axisGutter} -8 ${width + axisGutter} ${height + 26}`}
              className="h-auto w-full"
              role="img"
              aria-label={`Bar chart of ${currency} volume per day; the table below lists the same figures.`}
            >
              {/* y axis: zero, half and the busiest day's amount, in the currency's units */}
              {[0n, max / 2n, max].map((value, index) => {
                const y = height - (max === 0n ? 0 : scale(value.toString()) * (height - 4));
                return (
                  <g key={index}>
                    <line x1={0} x2={width} y1={y} y2={y} className={index === 0 ? "stroke-slate-300" : "stroke-slate-100"} />
                    <text x={-6} y={y + 3} textAnchor="end" className="fill-slate-500 text-[10px]">
                      {formatMinorUnits(value, currency as CurrencyCode)}
                    </text>
                  </g>
                );
              })}
              {days.map((d, index) => {
                const x = index * slot;
                const deposit = scale(d.depositsConfirmed) * (height - 4);
                const payout = scale(d.payoutsPaid) * (height - 4);
                return (
                  <g key={d.day}>
                    <title>{`${d.day}: deposits ${d.depositsConfirmed}, payouts ${d.payoutsPaid} (${currency} minor units)`}</title>
                    <rect x={x + 1} y={height - deposit} width={bar} height={deposit} className="fill-emerald-600" />
                    <rect x={x + 1 + bar} y={height - payout} width={bar} height={payout} className="fill-slate-500" />
                  </g>
                );
              })}
              {/* x axis: a date every week, from the first day */}
              {days.map((d, index) =>
                (index % 7 === 0 && days.length - 1 - index >= 4) || index === days.length - 1 ? (
                  <text
                    key={d.day}
                    x={index * slot + slot / 2}
                    y={height + 13}
                    textAnchor={index === 0 ? "start" : index === days.length - 1 ? "end" : "middle"}
                    className="fill-slate-500 text-[10px]"
                  >
                    {formatDay(d.day).replace(/ \d{4}$/, "")}
                  </text>
                ) : null,
              )}
            </svg>
            <button
              type="button"
              aria-expanded={showTable}
              aria-controls={tableId}
              onClick={() => setShowTable((shown) => !shown)}
              className="mt-3 text-sm text-emerald-800 underline focus-visible:outline-2 focus-visible:outline-emerald-600"
            >
              {showTable ? "Hide the figures" : "Show the figures as a table"}
            </button>
            <div id={tableId} className={showTable ? "mt-3" : "sr-only"}>
              <Table caption={`${currency} volume per day`}>
                <THead>
                  <tr>
                    <Th>Day (UTC)</Th>
                    <Th align="right">Deposits confirmed</Th>
                    <Th align="right">Payouts paid</Th>
                  </tr>
                </THead>
                <TBody>
                  {days
                    .filter((d) => d.depositsConfirmed !== "0" || d.payoutsPaid !== "0")
                    .map((d) => (
                      <Tr key={d.day}>
                        <Td>{d.day}</Td>
                        <Td align="right">
                          <Money amount={d.depositsConfirmed} currency={currency} />
                        </Td>
                        <Td align="right">
                          <Money amount={d.payoutsPaid} currency={currency} />
                        </Td>
                      </Tr>
                    ))}
                </TBody>
              </Table>
            </div>
          </>
        )}
      </div>
    </Card>
  );
}
