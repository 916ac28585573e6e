import type { HTMLAttributes, ReactNode } from "react";
import { cx } from "./cx";

export type CardProps = HTMLAttributes<HTMLElement> & {
  title?: ReactNode;
  /** Controls shown at the right of the title (e.g. a refresh button). */
  actions?: ReactNode;
  description?: ReactNode;
};

/** A titled section; the title labels the region for screen readers. */
export function Card({ title, actions, description, className, children, id, ...rest }: CardProps) {
  const headingId = title && id ? `${id}-title` : undefined;
  return (
    <section
      id={id}
      aria-labelledby={headingId}
      // min-w-0: a card inside a grid or flex layout must not grow to its widest table.
      className={cx("min-w-0 rounded-lg bg-white shadow-sm ring-1 ring-slate-200", className)}
      {...rest}
    >
      {title || actions ? (
        <header className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-200 px-5 py-4">
          <div className="min-w-0">
            {title ? (
              <h2 id={headingId} className="text-base font-semibold text-slate-900">
                {title}
              </h2>
            ) : null}
            {description ? <p className="mt-1 text-sm text-slate-600">{description}</p> : null}
          </div>
          {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
        </header>
      ) : null}
      <div className="px-5 py-4">{children}</div>
    </section>
  );
}
