import { router } from "../../trpc";
import { searchProcedure } from "./search";

export const dashboardRouter = router({ search: searchProcedure });
