import { router } from "../../trpc";
import { cancelPayout } from "./cancel-payout";
import { createPayout } from "./create-payout";
import { exportBankBatch } from "./export-bank-batch";
import { getPayout } from "./get-payout";
import { getPayoutBatch } from "./get-payout-batch";
import { listPayoutAttempts } from "./list-payout-attempts";
import { listPayoutBatches } from "./list-payout-batches";
import { listPayouts } from "./list-payouts";
import { markBankPayout } from "./mark-bank-payout";
import { createPayoutDestination, listPayoutDestinations, removePayoutDestination } from "./payout-destination-procedures";
import { retryPayout } from "./retry-payout";
import { runPayouts } from "./run-payouts";

export const payoutsRouter = router({
  createPayout,
  runPayouts,
  getPayout,
  listPayouts,
  getPayoutBatch,
  listPayoutAttempts,
  listPayoutBatches,
  cancelPayout,
  retryPayout,
  exportBankBatch,
  markBankPayout,
  createPayoutDestination,
  listPayoutDestinations,
  removePayoutDestination,
});
