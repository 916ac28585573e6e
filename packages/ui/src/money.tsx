import { formatMinorUnits, isSupportedCurrency } from "@agrinet/core/money";
import { cx } from "./cx";

export type MoneyProps = {
  /** Minor units as the API returns them: a string of digits, optionally negative. */
  amount: string;
  currency: string;
  className?: string;
};

/**
 * An amount with its currency and the currency's ISO 4217 decimals, e.g. "KES 2,500.00".
 * Never parses to a float; an amount it cannot represent is shown as given, marked invalid,
 * rather than rounded.
 */
export function Money({ amount, currency, className }: MoneyProps) {
  const code = currency.toUpperCase();
  const valid = /^-?\d+$/.test(amount) && isSupportedCurrency(code);
  const formatted = valid ? formatMinorUnits(BigInt(amount), code) : amount;
  return (
    <span
      className={cx("whitespace-nowrap tabular-nums", !valid && "text-red-700", className)}
      title={valid ? undefined : `unrecognised amount ${amount} ${currency}`}
      data-minor-units={amount}
      data-currency={code}
    >
      <span className="text-slate-500">{code}</span> {formatted}
    </span>
  );
}
