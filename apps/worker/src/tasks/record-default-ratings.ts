import type { Db } from "@agrinet/db";
import { recordDefaultRatings } from "@agrinet/domain";
import type { JobTask } from "@agrinet/job-queue";

/** Cron: parties who let the LBTAS rating window pass get the system default (+2). */
export function recordDefaultRatingsTask(db: Db): JobTask<"recordDefaultRatings"> {
  return async (_payload, helpers) => {
    const { recorded } = await recordDefaultRatings({ db });
    if (recorded) helpers.logger.info(`recorded ${recorded} default rating(s)`);
  };
}
