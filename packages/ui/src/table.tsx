import type { HTMLAttributes, ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";
import { cx } from "./cx";

/**
 * A table that scrolls sideways on narrow screens instead of squeezing its columns. `relative`
 * makes the scroller the containing block of sr-only (absolute) labels in cells, which would
 * otherwise escape it and widen the whole page. The scroller is a focusable, named region so a
 * keyboard user can scroll it too (axe: scrollable-region-focusable).
 */
export function Table({
  caption,
  className,
  children,
  ...rest
}: HTMLAttributes<HTMLTableElement> & { caption?: ReactNode }) {
  return (
    <div
      className="relative overflow-x-auto focus-visible:outline-2 focus-visible:outline-emerald-600"
      role="region"
      aria-label={typeof caption === "string" ? caption : undefined}
      tabIndex={0}
    >
      <table className={cx("min-w-full divide-y divide-slate-200 text-sm", className)} {...rest}>
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        {children}
      </table>
    </div>
  );
}

export function THead({ children }: { children: ReactNode }) {
  return <thead className="bg-slate-50">{children}</thead>;
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-slate-100 bg-white">{children}</tbody>;
}

export function Tr({ className, ...rest }: HTMLAttributes<HTMLTableRowElement>) {
  return <tr className={cx("hover:bg-slate-50", className)} {...rest} />;
}

export function Th({
  align = "left",
  className,
  ...rest
}: ThHTMLAttributes<HTMLTableCellElement> & { align?: "left" | "right" }) {
  return (
    <th
      scope="col"
      className={cx(
        "px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-600",
        align === "right" ? "text-right" : "text-left",
        className,
      )}
      {...rest}
    />
  );
}

export function Td({
  align = "left",
  className,
  ...rest
}: TdHTMLAttributes<HTMLTableCellElement> & { align?: "left" | "right" }) {
  return (
    <td
      className={cx(
        "whitespace-nowrap px-3 py-2 text-slate-800",
        align === "right" ? "text-right tabular-nums" : "text-left",
        className,
      )}
      {...rest}
    />
  );
}
