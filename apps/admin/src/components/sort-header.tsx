"use client";
import { Th } from "@agrinet/ui";
import type { ReactNode } from "react";

export type Sort<Field extends string> = { by: Field; direction: "asc" | "desc" };

/**
 * A column header that sorts the list: the first click sorts by it (descending: largest or
 * newest first), the next reverses. `aria-sort` tells assistive technology the current order.
 */
export function SortHeader<Field extends string>({
  field,
  sort,
  onSort,
  align,
  children,
}: {
  field: Field;
  sort: Sort<Field>;
  onSort: (sort: Sort<Field>) => void;
  align?: "left" | "right";
  children: ReactNode;
}) {
  const active = sort.by === field;
  const next: Sort<Field> = { by: field, direction: active && sort.direction === "desc" ? "asc" : "desc" };
  return (
    <Th align={align} aria-sort={active ? (sort.direction === "asc" ? "ascending" : "descending") : "none"}>
      <button
        type="button"
        onClick={() => onSort(next)}
        className="inline-flex items-center gap-1 uppercase tracking-wide hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-emerald-600"
      >
        {children}
        <span aria-hidden="true" className={active ? "text-slate-900" : "text-slate-300"}>
          {active && sort.direction === "asc" ? "▲" : "▼"}
        </span>
      </button>
    </Th>
  );
}
