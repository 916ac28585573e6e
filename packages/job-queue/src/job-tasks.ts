import type { Task } from "graphile-worker";

/**
 * Every job the worker runs, by graphile-worker task identifier: the one place a task is named.
 * Code that queues or runs a job takes its name from here. Two SQL functions queue sweeps inside
 * the statement that plans them (`schedule_payout_status_sweeps`, `schedule_mpesa_stk_sweeps`);
 * `job-queue.integration-test.ts` checks the jobs they add carry these names.
 */
export const jobTasks = {
  /** Sends one payout to its rail (job key = payout id). */
  processPayout: "payouts:process",
  /** Asks the provider about every processing payout whose status check is due (one job per second of due times). */
  payoutStatusSweep: "payouts:status-sweep",
  /** PAYOUTS_AUTO_RUN_CRON: starts a payout run. */
  payoutAutoRun: "payouts:auto-run",
  /** One webhook delivery attempt (job key = webhookDeliveryJobKey). */
  deliverWebhook: "deliver-webhook",
  /** Queries M-Pesa about STK pushes whose callback is late. */
  stkSweep: "mpesa:stk-sweep",
  /** Cron: LBTAS default ratings for parties who let the window pass. */
  recordDefaultRatings: "contracts_record_default_ratings",
  /** Cron: scheduled reconciliation of every source. */
  reconciliationRun: "reconciliation_run",
} as const;

export type JobTaskName = (typeof jobTasks)[keyof typeof jobTasks];

export type ProcessPayoutPayload = {
  payoutId: string;
  /** The provider confirmed it never received this payout: the job may send without asking. */
  confirmedNotSent?: boolean;
};

export type DeliverWebhookPayload = { deliveryId: string };

/** Sweeps and cron jobs read nothing from their payload (cron adds its own `_cron` field). */
export type NoPayload = Record<string, unknown>;

// graphile-worker's declaration merging: its add/run functions type each task's payload by name.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- the library's own global namespace
  namespace GraphileWorker {
    interface Tasks {
      [jobTasks.processPayout]: ProcessPayoutPayload;
      [jobTasks.payoutStatusSweep]: NoPayload;
      [jobTasks.payoutAutoRun]: NoPayload;
      [jobTasks.deliverWebhook]: DeliverWebhookPayload;
      [jobTasks.stkSweep]: NoPayload;
      [jobTasks.recordDefaultRatings]: NoPayload;
      [jobTasks.reconciliationRun]: NoPayload;
    }
  }
}

/** One handler per registered task: the worker's task list cannot leave one out. */
export type JobTaskHandlers = { [Name in JobTaskName]: Task<Name> };

/** The handler of one registered task, by its key in `jobTasks` (`JobTask<"processPayout">`). */
export type JobTask<Key extends keyof typeof jobTasks> = Task<(typeof jobTasks)[Key]>;

/** A graphile-worker crontab line for a registered task (`?max=1`: one run per slot across workers). */
export function cronLine(schedule: string, task: JobTaskName): string {
  return `${schedule} ${task} ?max=1`;
}
