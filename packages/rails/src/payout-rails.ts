import { validationError } from "@agrinet/core";
import type Stripe from "stripe";
import { BankTransferRail } from "./bank/bank-transfer-rail";
import { DarajaB2cRail, type DarajaB2cOptions } from "./mpesa/daraja-b2c-rail";
import type { PayoutRail, PayoutRailName } from "./payout-rail";
import { StripeTransferRail } from "./stripe/stripe-transfer-rail";

export type PayoutRails = {
  mpesa: DarajaB2cRail | undefined;
  stripe: StripeTransferRail | undefined;
  bank: BankTransferRail;
  /** The rail for a destination type; VALIDATION_FAILED naming `destination.type` when unconfigured. */
  forDestination(type: PayoutRailName): PayoutRail;
};

/** Builds the configured rails once per process (the Daraja token cache lives in its rail). */
export function createPayoutRails(options: { mpesa?: DarajaB2cOptions; stripe?: Stripe }): PayoutRails {
  const rails = {
    mpesa: options.mpesa ? new DarajaB2cRail(options.mpesa) : undefined,
    stripe: options.stripe ? new StripeTransferRail(options.stripe) : undefined,
    bank: new BankTransferRail(),
  };
  return {
    ...rails,
    forDestination(type) {
      const rail = rails[type];
      if (!rail) {
        throw validationError([
          { path: "destination.type", message: `${type} payouts are not configured on this server` },
        ]);
      }
      return rail;
    },
  };
}
