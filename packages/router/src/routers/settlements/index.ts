import { router } from "../../trpc";
import { getFederationTrendsProcedure } from "./get-federation-trends";
import { getSummaryProcedure } from "./get-summary";

export const settlementsRouter = router({ getSummary: getSummaryProcedure, getFederationTrends: getFederationTrendsProcedure });
