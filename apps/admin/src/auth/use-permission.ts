"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";

export type PermissionState = "loading" | "allowed" | "denied" | "signed-out" | "unreachable";

/**
 * The caller's standing for one procedure, for whole pages: tells "still asking" and "not signed
 * in" apart from "not allowed", so a page can show a loading state or a sign-in link instead of a
 * blank. `useCan` is its yes/no form; both share one cached `auth.listPermissions` answer.
 */
export function usePermission(procedurePath: string): PermissionState {
  const trpc = useTRPC();
  const permissions = useQuery(trpc.auth.listPermissions.queryOptions(undefined, { staleTime: 60_000 }));
  if (permissions.isPending) return "loading";
  if (permissions.isError) return permissions.error.data?.code === "UNAUTHORIZED" ? "signed-out" : "unreachable";
  return permissions.data.procedures.includes(procedurePath) ? "allowed" : "denied";
}
