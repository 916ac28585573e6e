"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";

/**
 * Whether the signed-in caller may call a procedure (e.g. "deposits.confirm"), as the server
 * decides it (`auth.listPermissions`). False while loading, so an action never flashes into
 * view for someone who may not take it.
 */
export function useCan(procedurePath: string): boolean {
  const trpc = useTRPC();
  const permissions = useQuery(trpc.auth.listPermissions.queryOptions(undefined, { staleTime: 60_000 }));
  return permissions.data?.procedures.includes(procedurePath) ?? false;
}
