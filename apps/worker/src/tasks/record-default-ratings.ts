import type { Db } from "@agrinet/db";
import { recordDefaultRatings } from "@agrinet/domain";
import type { Task } from "graphile-worker";

/** Cron: parties who let the LBTAS rating window pass get the system default (+2). */
export function recordDefaultRatingsTask(db: Db): Task {
  return async (_payload, helpers) => {
    const { recorded } = await recordDefaultRatings({ db });
    if (recorded) helpers.logger.info(`recorded ${recorded} default rating(s)`);
  };
}
