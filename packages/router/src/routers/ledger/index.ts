import { router } from "../../trpc";
import { verify } from "./verify-ledger";

export const ledgerRouter = router({ verify });
