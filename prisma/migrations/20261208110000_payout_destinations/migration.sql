-- #21 item 4: a user's payout destinations are saved records, the partner's that saved them.
-- `key` is the destination's canonical JSON: a destination given inline again is the same
-- record (one per user, partner and destination). Removing deletes the row (audited); payouts
-- keep their own copy of where they went.
CREATE TABLE "payout_destinations" (
    "id" TEXT NOT NULL,
    "partner_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "destination" JSONB NOT NULL,
    "key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,

    CONSTRAINT "payout_destinations_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "payout_destinations_partner_id_user_id_key_key" ON "payout_destinations"("partner_id", "user_id", "key");

ALTER TABLE "payout_destinations" ADD CONSTRAINT "payout_destinations_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "payout_destinations" ADD CONSTRAINT "payout_destinations_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
