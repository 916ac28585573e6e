import type { ReconciliationSource } from "./statement-types";

/**
 * How far a statement line's time may drift from its ledger posting and still match, per
 * source; a posting with no line is an exception only once a committed statement reaches past
 * its time plus this window. M-Pesa books in seconds (a day covers time zones and late
 * callbacks); banks book on business days; Stripe's balance transactions carry the charge time.
 */
export const matchWindowSeconds: Record<ReconciliationSource, number> = {
  mpesa: 24 * 60 * 60,
  bank: 2 * 24 * 60 * 60,
  stripe: 2 * 24 * 60 * 60,
};
