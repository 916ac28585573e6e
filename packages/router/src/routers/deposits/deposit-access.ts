import type { Access, Principal } from "../../access";
import { everyStaff, staffWriters } from "../../access";
import { defaultDepositSettings, type Context, type DepositSettings } from "../../context";

export const depositReaders: Access = { staff: everyStaff, partner: ["deposits:read"], user: "self" };

/**
 * Confirming and failing move money, so partner keys may do it only where the operator opted in
 * (DEPOSITS_PARTNER_CONFIRM=true); `meta.access` names the scope, this checks the switch.
 */
export const depositSettlers: Access = { staff: staffWriters, partner: ["deposits:write"] };

export function depositSettings(ctx: Context): DepositSettings {
  return ctx.deposits ?? defaultDepositSettings;
}

/** `meta.partnerRefusal` of confirming and failing. */
export function partnerMaySettle(ctx: Context): string | null {
  return depositSettings(ctx).partnerConfirm
    ? null
    : "partner keys may not confirm or fail deposits on this server (DEPOSITS_PARTNER_CONFIRM is off)";
}

/** An end user sees only their own deposits. */
export function onlyOwnDeposits(principal: Principal | null): string | undefined {
  return principal?.kind === "user" ? principal.userId : undefined;
}
