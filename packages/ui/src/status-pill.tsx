import type { ReactNode } from "react";
import { cx } from "./cx";

export type Tone = "success" | "warning" | "danger" | "neutral" | "info";

const tones: Record<Tone, { pill: string; dot: string }> = {
  success: { pill: "bg-emerald-50 text-emerald-800 ring-emerald-600/20", dot: "bg-emerald-500" },
  warning: { pill: "bg-amber-50 text-amber-900 ring-amber-600/30", dot: "bg-amber-500" },
  danger: { pill: "bg-red-50 text-red-800 ring-red-600/20", dot: "bg-red-500" },
  neutral: { pill: "bg-slate-100 text-slate-700 ring-slate-500/20", dot: "bg-slate-400" },
  info: { pill: "bg-sky-50 text-sky-800 ring-sky-600/20", dot: "bg-sky-500" },
};

/** A small label; colour is never the only signal, the text always says the state. */
export function Badge({ tone = "neutral", children }: { tone?: Tone; children: ReactNode }) {
  return (
    <span
      className={cx(
        "inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset",
        tones[tone].pill,
      )}
    >
      {children}
    </span>
  );
}

/** A badge with a status dot, for health and lifecycle states ("ok", "pending", "failed"). */
export function StatusPill({ tone, label }: { tone: Tone; label: string }) {
  return (
    <Badge tone={tone}>
      <span aria-hidden="true" className={cx("size-1.5 rounded-full", tones[tone].dot)} />
      {label}
    </Badge>
  );
}
