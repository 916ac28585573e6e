import { router } from "../../trpc";
import { contestRatingProcedure } from "./contest-rating";
import { getReputationProcedure } from "./get-reputation";
import { submitRatingProcedure } from "./submit-rating";
import { listForContractProcedure } from "./list-for-contract";

export const ratingsRouter = router({
  submit: submitRatingProcedure,
  contest: contestRatingProcedure,
  getReputation: getReputationProcedure,
  listForContract: listForContractProcedure,
});
