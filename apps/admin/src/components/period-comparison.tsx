"use client";
import type { ReactNode } from "react";
import { Card, EmptyState, Money, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import type { Overview } from "./overview-panels";
import { percentChange, successRate } from "./period-figures";

type Figures = Overview["comparison"]["currencies"][number]["current"];

function Before({ children }: { children: ReactNode }) {
  return <span className="block text-xs text-slate-500">{children}</span>;
}

/** The volume window against the same number of days just before it, per currency. */
export function PeriodComparison({ comparison }: { comparison: Overview["comparison"] }) {
  const { current, previous } = comparison;
  return (
    <Card
      id="period-comparison"
      title="This period against the one before"
      description={`${current.from} to ${current.to} (UTC) against ${previous.from} to ${previous.to}. Money in is confirmed deposits (gross), money out is paid payouts; the success rate counts payouts paid out of those paid or failed for good.`}
    >
      {comparison.currencies.length === 0 ? (
        <EmptyState title="No money moved in either period." />
      ) : (
        <Table caption="This period against the one before" data-testid="period-comparison">
          <THead>
            <tr>
              <Th>Currency</Th>
              <Th align="right">Money in</Th>
              <Th align="right">Money out</Th>
              <Th align="right">Net</Th>
              <Th align="right">Payout success</Th>
            </tr>
          </THead>
          <TBody>
            {comparison.currencies.map(({ currency, current: now, previous: before }) => {
              const net = (figures: Figures) => (BigInt(figures.depositsConfirmed) - BigInt(figures.payoutsPaid)).toString();
              return (
                <Tr key={currency} data-currency={currency}>
                  <Td className="font-medium">{currency}</Td>
                  <Td align="right" data-testid={`money-in-${currency}`}>
                    <Money amount={now.depositsConfirmed} currency={currency} />
                    <Before>
                      {percentChange(now.depositsConfirmed, before.depositsConfirmed)} · {now.depositsConfirmedCount} deposits
                    </Before>
                  </Td>
                  <Td align="right" data-testid={`money-out-${currency}`}>
                    <Money amount={now.payoutsPaid} currency={currency} />
                    <Before>
                      {percentChange(now.payoutsPaid, before.payoutsPaid)} · {now.payoutsPaidCount} payouts
                    </Before>
                  </Td>
                  <Td align="right" data-testid={`net-${currency}`}>
                    <Money amount={net(now)} currency={currency} />
                    <Before>
                      before <Money amount={net(before)} currency={currency} />
                    </Before>
                  </Td>
                  <Td align="right" data-testid={`success-rate-${currency}`}>
                    {successRate(now)}
                    <Before>
                      before {successRate(before)} · {now.payoutsFailedCount} failed
                    </Before>
                  </Td>
                </Tr>
              );
            })}
          </TBody>
        </Table>
      )}
    </Card>
  );
}
