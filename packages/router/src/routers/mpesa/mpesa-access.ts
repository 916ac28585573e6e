import { DomainError } from "@agrinet/core";
import type { MpesaCollectionsSettings } from "@agrinet/domain";
import type { Context } from "../../context";

/** The collections settings, or 503 naming what to configure. */
export function mpesaCollections(ctx: Context): MpesaCollectionsSettings {
  const settings = ctx.deposits?.mpesa;
  if (!settings) {
    throw new DomainError("SERVICE_UNAVAILABLE", "M-Pesa collections are not configured on this server (MPESA_STK_PASSKEY and the MPESA_* settings)");
  }
  return settings;
}
