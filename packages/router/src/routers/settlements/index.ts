import { router } from "../../trpc";
import { getFederationTrends } from "./get-federation-trends";
import { getSummary } from "./get-summary";

export const settlementsRouter = router({ getSummary, getFederationTrends });
