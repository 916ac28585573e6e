/** Who may call a procedure. Every procedure declares one in `meta.access`. */

export const staffRoles = ["admin", "operator", "viewer"] as const;
export type StaffRole = (typeof staffRoles)[number];

export const partnerScopes = [
  "deposits:write",
  "deposits:read",
  "payouts:write",
  "payouts:read",
  "transactions:read",
  "ratings:write",
  "notifications:read",
  "settlements:read",
  "contracts:write",
  "contracts:read",
] as const;
export type PartnerScope = (typeof partnerScopes)[number];

/** The authenticated caller, resolved by the transport from a session, API key or JWT. */
export type Principal =
  | { kind: "staff"; userId: string; email: string; role: StaffRole }
  | { kind: "partner"; keyId: string; name: string; scopes: PartnerScope[] }
  | { kind: "user"; userId: string };

export type Access = {
  /** No credentials needed (health; webhooks authenticate by signature instead). */
  public?: true;
  /** Dashboard roles allowed. */
  staff?: StaffRole[];
  /** Partner API key scopes; any one of them allows. */
  partner?: PartnerScope[];
  /**
   * End-user tokens: "self" allows a user acting on their own data, identified by the
   * input's `userId` field.
   */
  user?: "self" | "party";
};
// "party": any end user may call; the domain function itself checks that the user is a party
// of the thing acted on (a contract's consumer or producer).

/** Shorthands so procedures read as policy: `access: staffOnly("admin", "operator")`. */
export const everyStaff: StaffRole[] = ["admin", "operator", "viewer"];
export const staffWriters: StaffRole[] = ["admin", "operator"];
