import { randomBytes } from "node:crypto";
import { DomainError, validationError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { emitDomainEvent } from "../events/emit-domain-event";
import { maxNarrativeWords } from "./contract-types";
import { countWords } from "./narrative";

/**
 * Either party of the trade may contest a rating; the contest is an annotation event and the
 * rating itself is never changed or removed.
 */
export async function contestRating(options: {
  db: Db;
  userId: string;
  input: { ratingId: string; reason: string };
}) {
  const { db, userId, input } = options;
  const reason = input.reason.trim();
  if (!reason) throw validationError([{ path: "reason", message: "a contest needs a reason" }]);
  if (countWords(reason) > maxNarrativeWords) {
    throw validationError([{ path: "reason", message: `at most ${maxNarrativeWords} words` }]);
  }
  return db.$transaction(async (tx) => {
    const rating = await tx.rating.findUnique({
      where: { id: input.ratingId },
      include: { contract: true },
    });
    if (!rating) {
      throw new DomainError("NOT_FOUND", `no rating ${input.ratingId}`, {
        fields: [{ path: "ratingId", message: "unknown rating" }],
      });
    }
    const { contract } = rating;
    if (userId !== contract.consumerId && userId !== contract.producerId) {
      throw new DomainError("FORBIDDEN", "only a party of the trade may contest its ratings");
    }
    const annotation = await tx.ratingAnnotation.create({
      data: {
        id: `annotation_${randomBytes(8).toString("hex")}`,
        ratingId: rating.id,
        kind: "contest",
        byUserId: userId,
        reason,
      },
    });
    await emitDomainEvent(tx, {
      type: "rating.contested",
      aggregateType: "rating",
      aggregateId: rating.id,
      userIds: [contract.consumerId, contract.producerId],
      payload: { contractId: contract.id, ratingId: rating.id, annotationId: annotation.id, byUserId: userId },
    });
    return annotation;
  });
}
