import { Button } from "./button";
import { cx } from "./cx";

/**
 * Keyset page navigation under a list: back and forward buttons around the page number. The
 * caller keeps the cursors (see `useKeysetPages`); buttons are disabled while a page loads so a
 * double click never skips one.
 */
export function Pager(props: {
  /** Names the navigation for screen readers, e.g. "Contract pages". */
  label: string;
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  busy?: boolean;
  onPrevious: () => void;
  onNext: () => void;
  previousLabel?: string;
  nextLabel?: string;
  /** Replaces the default top margin, e.g. to sit as a bordered footer of a card. */
  className?: string;
}) {
  return (
    <nav aria-label={props.label} className={cx("flex items-center justify-between gap-2", props.className ?? "mt-4")}>
      <Button variant="secondary" size="sm" disabled={!props.hasPrevious || props.busy} onClick={props.onPrevious}>
        {props.previousLabel ?? "Newer"}
      </Button>
      <span className="text-sm text-slate-600">Page {props.page}</span>
      <Button variant="secondary" size="sm" disabled={!props.hasNext || props.busy} onClick={props.onNext}>
        {props.nextLabel ?? "Older"}
      </Button>
    </nav>
  );
}
