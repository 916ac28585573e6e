import { router } from "../../trpc";
import { getStatus } from "./get-status";

export const systemRouter = router({ getStatus });
