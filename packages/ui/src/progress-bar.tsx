import { cx } from "./cx";

export type ProgressBarProps = {
  /** Done so far, out of `max`. */
  value: number;
  max: number;
  /** What is progressing, for screen readers ("Payout run progress"). */
  label: string;
  /** Spoken and shown beside the percentage, e.g. "3 of 5 payouts". */
  valueText?: string;
  tone?: "primary" | "danger";
  className?: string;
};

/** A determinate progress bar with the ARIA progressbar role, so its value is announced. */
export function ProgressBar({ value, max, label, valueText, tone = "primary", className }: ProgressBarProps) {
  const safeMax = Math.max(max, 0);
  const clamped = Math.min(Math.max(value, 0), safeMax);
  // An empty run is complete, not stuck at 0 %.
  const percent = safeMax === 0 ? 100 : Math.floor((clamped / safeMax) * 100);
  return (
    <div className={cx("flex flex-col gap-1", className)}>
      <div className="flex justify-between text-sm text-slate-700">
        <span>{label}</span>
        <span className="tabular-nums">{valueText ? `${valueText} · ${percent}%` : `${percent}%`}</span>
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={safeMax}
        aria-valuenow={clamped}
        aria-valuetext={valueText ? `${valueText} (${percent}%)` : `${percent}%`}
        className="h-3 w-full overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={cx(
            "h-full rounded-full transition-[width] duration-300",
            tone === "danger" ? "bg-red-600" : "bg-emerald-600",
          )}
          style={{ width: `${percent}%` }}
        />
      </div>
    </div>
  );
}
