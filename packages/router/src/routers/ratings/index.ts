import { router } from "../../trpc";
import { contestRatingProcedure } from "./contest-rating";
import { getReputationProcedure } from "./get-reputation";
import { submitRatingProcedure } from "./submit-rating";

export const ratingsRouter = router({
  submit: submitRatingProcedure,
  contest: contestRatingProcedure,
  getReputation: getReputationProcedure,
});
