-- Each send of a payout after a final failure is a new request with its own provider key
-- (`<payout id>-a<attempt>`), so Daraja and Stripe take it as a new payment (to a new destination
-- if it changed) instead of refusing a known id with other details or answering with the old
-- failure. Null keeps the payout id, as every payout sent before this migration was.
-- AlterTable
ALTER TABLE "payouts" ADD COLUMN     "provider_key" TEXT;
