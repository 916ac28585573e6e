"use client";
import { cx } from "@agrinet/ui";
import Link from "next/link";
import { usePathname } from "next/navigation";

export const sections = [
  { href: "/", label: "Overview" },
  { href: "/deposits", label: "Deposits" },
  { href: "/mpesa/unmatched", label: "Unmatched M-Pesa" },
  { href: "/payouts", label: "Payouts" },
  { href: "/ledger", label: "Ledger" },
  { href: "/contracts", label: "Contracts" },
  { href: "/notifications", label: "Notifications" },
  { href: "/settlements", label: "Settlements" },
  { href: "/reconciliation", label: "Reconciliation" },
  { href: "/api-keys", label: "API keys" },
  { href: "/audit-log", label: "Audit log" },
  { href: "/staff", label: "Staff" },
  { href: "/status", label: "System status" },
] as const;

export function Nav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="overflow-x-auto">
      <ul className="flex gap-1 md:flex-col">
        {sections.map((section) => {
          const current =
            section.href === "/" ? pathname === "/" : pathname.startsWith(section.href);
          return (
            <li key={section.href}>
              <Link
                href={section.href}
                aria-current={current ? "page" : undefined}
                className={cx(
                  "block whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium",
                  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600",
                  current
                    ? "bg-emerald-50 text-emerald-900"
                    : "text-slate-700 hover:bg-slate-100 hover:text-slate-900",
                )}
              >
                {section.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
