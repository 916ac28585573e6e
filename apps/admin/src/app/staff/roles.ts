import type { StaffRole } from "@agrinet/router";

/** A Record so that a new role fails the type check until it is described here. */
export const roleDescriptions: Record<StaffRole, string> = {
  admin: "Admins may do everything, including managing staff users and API keys.",
  operator: "Operators confirm and fail deposits, run payouts and resolve disputes.",
  viewer: "Viewers read everything and change nothing.",
};

export const roles = Object.keys(roleDescriptions) as StaffRole[];
