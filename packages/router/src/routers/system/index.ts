import { router } from "../../trpc";
import { getOverviewProcedure } from "./get-overview";
import { getStatusProcedure } from "./get-status";

export const systemRouter = router({ getStatus: getStatusProcedure, getOverview: getOverviewProcedure });
