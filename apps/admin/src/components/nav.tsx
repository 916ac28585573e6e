"use client";
import { cx } from "@agrinet/ui";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useId, useState, type ReactNode } from "react";
import { usePermission } from "../auth/use-permission";

export type Section = {
  href: string;
  label: string;
  /** The procedure the page reads: the section is listed only to callers who may call it. */
  requires?: string;
};

/**
 * Every section of the dashboard, in menu order. A new page adds one entry here; the sidebar,
 * the phone menu and the role filter all follow.
 */
export const sections: readonly Section[] = [
  { href: "/", label: "Overview" },
  { href: "/deposits", label: "Deposits", requires: "deposits.list" },
  { href: "/mpesa/unmatched", label: "Unmatched M-Pesa", requires: "mpesa.listUnmatched" },
  { href: "/payouts", label: "Payouts", requires: "payouts.listPayouts" },
  { href: "/ledger", label: "Ledger", requires: "transactions.list" },
  { href: "/contracts", label: "Contracts", requires: "contracts.list" },
  { href: "/notifications", label: "Notifications", requires: "notifications.list" },
  { href: "/settlements", label: "Settlements", requires: "settlements.getSummary" },
  { href: "/reconciliation", label: "Reconciliation", requires: "reconciliation.listRuns" },
  { href: "/partners", label: "Partners", requires: "partners.list" },
  { href: "/api-keys", label: "API keys", requires: "auth.listPartnerKeys" },
  { href: "/audit-log", label: "Audit log", requires: "auth.listAuditLog" },
  { href: "/staff", label: "Staff", requires: "auth.listStaffUsers" },
  { href: "/status", label: "System status" },
];

function isCurrent(href: string, pathname: string) {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

function NavItem({ section, pathname }: { section: Section; pathname: string }) {
  // Hooks per item keep the list declarative; every item shares one cached permissions answer.
  const permission = usePermission(section.requires ?? "");
  if (section.requires && permission !== "allowed") return null;
  const current = isCurrent(section.href, pathname);
  return (
    <li>
      {/* No prefetch: thirteen sections' chunks and page data on every load kept each list page
          busy for ~50 requests after its own data had arrived (bench:pages); a section is
          fetched when chosen. */}
      <Link
        prefetch={false}
        href={section.href}
        aria-current={current ? "page" : undefined}
        className={cx(
          "block whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium",
          "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600",
          current ? "bg-emerald-50 text-emerald-900" : "text-slate-700 hover:bg-slate-100 hover:text-slate-900",
        )}
      >
        {section.label}
      </Link>
    </li>
  );
}

/**
 * The main navigation: a sidebar from 768 px up; below that a "Menu" button opens the same list
 * (and whatever `footer` holds, e.g. the session), so a phone reaches every section without
 * scrolling sideways.
 */
export function Nav({ footer }: { footer?: ReactNode }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const listId = useId();
  // A followed link closes the phone menu.
  useEffect(() => setOpen(false), [pathname]);

  return (
    <>
      <button
        type="button"
        className="absolute right-4 top-3 rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-emerald-600 md:hidden"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen((value) => !value)}
      >
        {open ? "Close menu" : "Menu"}
      </button>
      <div id={listId} className={cx(open ? "block" : "hidden", "md:block")}>
        <nav aria-label="Main">
          <ul className="flex flex-col gap-1">
            {sections.map((section) => (
              <NavItem key={section.href} section={section} pathname={pathname} />
            ))}
          </ul>
        </nav>
        {footer}
      </div>
    </>
  );
}
