/** "+12.5%" / "−3.0%" from minor-unit strings, in integer arithmetic; "new" when there was nothing before. */
export function percentChange(current: string, previous: string): string {
  const now = BigInt(current);
  const before = BigInt(previous);
  if (before === 0n) return now === 0n ? "no change" : "new";
  const tenths = ((now - before) * 1000n) / (before < 0n ? -before : before);
  const sign = tenths > 0n ? "+" : tenths < 0n ? "−" : "±";
  const magnitude = tenths < 0n ? -tenths : tenths;
  return `${sign}${magnitude / 10n}.${magnitude % 10n}%`;
}

/** Paid out of those that reached an outcome (paid or failed for good); cancelled ones are an operator's choice, not counted. */
export function successRate(figures: { payoutsPaidCount: number; payoutsFailedCount: number }): string {
  const decided = figures.payoutsPaidCount + figures.payoutsFailedCount;
  if (decided === 0) return "—";
  const tenths = Math.floor((figures.payoutsPaidCount * 1000) / decided);
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}
