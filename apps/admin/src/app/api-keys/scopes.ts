import type { PartnerScope } from "@agrinet/router";

/** Every scope a key may hold; a Record so that a new scope fails the type check until described here. */
export const scopeDescriptions: Record<PartnerScope, string> = {
  "deposits:write": "Create deposits",
  "deposits:read": "Read deposits",
  "payouts:write": "Request payouts",
  "payouts:read": "Read payouts",
  "transactions:read": "Read balances and transactions",
  "ratings:write": "Submit ratings",
  "notifications:read": "Read notifications",
  "settlements:read": "Read settlement trends",
  "contracts:write": "Register contracts",
  "contracts:read": "Read contracts",
};

export const allScopes = Object.keys(scopeDescriptions) as PartnerScope[];
