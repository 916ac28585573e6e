import { router } from "../../trpc";
import { getOverviewProcedure } from "./get-overview";
import { getStatus } from "./get-status";

export const systemRouter = router({ getStatus, getOverview: getOverviewProcedure });
