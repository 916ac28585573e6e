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
  | { kind: "partner"; keyId: string; name: string; scopes: PartnerScope[]; partnerId: string }
  | { kind: "user"; userId: string; partnerId: string };

export type Access = {
  /** No credentials needed (health; webhooks authenticate by signature instead). */
  public?: true;
  /** Any valid credentials (e.g. "who am I"); the procedure itself limits what it returns. */
  authenticated?: true;
  /** Dashboard roles allowed. */
  staff?: StaffRole[];
  /** Partner API key scopes; any one of them allows. */
  partner?: PartnerScope[];
  /**
   * End-user tokens: "self" allows a user acting on their own data, identified by the
   * input's `userId` field; "party" lets any end user call, and the domain function itself
   * checks that the user is a party of what is acted on (a contract's consumer or producer).
   */
  user?: "self" | "party";
};

/** Shorthands so procedures read as policy: `access: staffOnly("admin", "operator")`. */
export const everyStaff: StaffRole[] = ["admin", "operator", "viewer"];
export const staffWriters: StaffRole[] = ["admin", "operator"];

export type AccessDecision = "allow" | "unauthorized" | "forbidden";

/**
 * The one access decision, shared by the tRPC middleware and plain Fastify routes. `input` is
 * the raw (unparsed) request input: "self" compares its `userId` with the token's subject.
 */
export function checkAccess(access: Access, principal: Principal | null, input: unknown): AccessDecision {
  if (access.public) return "allow";
  if (!principal) return "unauthorized";
  if (access.authenticated) return "allow";
  switch (principal.kind) {
    case "staff":
      return access.staff?.includes(principal.role) ? "allow" : "forbidden";
    case "partner":
      return access.partner?.some((scope) => principal.scopes.includes(scope)) ? "allow" : "forbidden";
    case "user": {
      if (access.user === "party") return "allow";
      if (access.user !== "self") return "forbidden";
      const userId = typeof input === "object" && input !== null ? (input as { userId?: unknown }).userId : undefined;
      return typeof userId === "string" && userId === principal.userId ? "allow" : "forbidden";
    }
  }
}

/** How the audit log names a caller. */
export function actorOf(principal: Principal | null): string {
  if (!principal) return "anonymous";
  switch (principal.kind) {
    case "staff":
      return `staff:${principal.userId}`;
    case "partner":
      return `partner:${principal.keyId}`;
    case "user":
      return `user:${principal.userId}`;
  }
}
