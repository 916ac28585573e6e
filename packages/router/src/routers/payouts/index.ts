import { router } from "../../trpc";
import { cancelPayoutProcedure } from "./cancel-payout";
import { createPayoutProcedure } from "./create-payout";
import { exportBankBatchProcedure } from "./export-bank-batch";
import { getPayoutProcedure } from "./get-payout";
import { getPayoutBatchProcedure } from "./get-payout-batch";
import { listPayoutAttemptsProcedure } from "./list-payout-attempts";
import { listPayoutBatchesProcedure } from "./list-payout-batches";
import { listPayoutsProcedure } from "./list-payouts";
import { markBankPayoutProcedure } from "./mark-bank-payout";
import { createPayoutDestinationProcedure } from "./create-payout-destination";
import { listPayoutDestinationsProcedure } from "./list-payout-destinations";
import { removePayoutDestinationProcedure } from "./remove-payout-destination";
import { retryPayoutProcedure } from "./retry-payout";
import { runPayoutsProcedure } from "./run-payouts";

export const payoutsRouter = router({
  createPayout: createPayoutProcedure,
  runPayouts: runPayoutsProcedure,
  getPayout: getPayoutProcedure,
  listPayouts: listPayoutsProcedure,
  getPayoutBatch: getPayoutBatchProcedure,
  listPayoutAttempts: listPayoutAttemptsProcedure,
  listPayoutBatches: listPayoutBatchesProcedure,
  cancelPayout: cancelPayoutProcedure,
  retryPayout: retryPayoutProcedure,
  exportBankBatch: exportBankBatchProcedure,
  markBankPayout: markBankPayoutProcedure,
  createPayoutDestination: createPayoutDestinationProcedure,
  listPayoutDestinations: listPayoutDestinationsProcedure,
  removePayoutDestination: removePayoutDestinationProcedure,
});
