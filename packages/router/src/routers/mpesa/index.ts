import { router } from "../../trpc";
import { assignUnmatchedPaymentProcedure } from "./assign-unmatched-payment";
import { getPaybillAccountProcedure } from "./get-paybill-account";
import { listUnmatchedPaymentsProcedure } from "./list-unmatched-payments";
import { returnUnmatchedPaymentProcedure } from "./return-unmatched-payment";

export const mpesaRouter = router({
  paybillAccount: getPaybillAccountProcedure,
  listUnmatched: listUnmatchedPaymentsProcedure,
  assignUnmatched: assignUnmatchedPaymentProcedure,
  returnUnmatched: returnUnmatchedPaymentProcedure,
});
