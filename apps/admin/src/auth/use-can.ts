"use client";
import { usePermission } from "./use-permission";

/**
 * Whether the signed-in caller may call a procedure (e.g. "deposits.confirm"), as the server
 * decides it (`auth.listPermissions`). False while loading, so an action never flashes into
 * view for someone who may not take it.
 */
export function useCan(procedurePath: string): boolean {
  return usePermission(procedurePath) === "allowed";
}
