import { router } from "../../trpc";
import { search } from "./search";

export const dashboardRouter = router({ search });
