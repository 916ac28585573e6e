import { useState } from "react";

type CursorStack = { key: string; cursors: readonly string[] };

export type KeysetPages = {
  /** The cursor to send with the list query; undefined on the first page. */
  cursor: string | undefined;
  /** 1-based, for "Page n". */
  page: number;
  /** Back to the first page, e.g. when the filters change. */
  reset: () => void;
  /** What `Pager` needs, given the cursor the server returned for the page after this one. */
  pagerProps: (nextCursor: string | null | undefined) => {
    page: number;
    hasPrevious: boolean;
    hasNext: boolean;
    onPrevious: () => void;
    onNext: () => void;
  };
};

/**
 * The paging state behind `useKeysetPages`, apart from React so its rules can be tested. Setters
 * write whole stacks computed from this render (not updater functions): a double click before the
 * next render then lands on the same page instead of skipping one.
 */
export function keysetPages(stack: CursorStack, resetKey: string, setStack: (next: CursorStack) => void): KeysetPages {
  const cursors = stack.key === resetKey ? stack.cursors : [];
  const page = cursors.length + 1;
  return {
    cursor: cursors[cursors.length - 1],
    page,
    reset: () => setStack({ key: resetKey, cursors: [] }),
    pagerProps: (nextCursor) => ({
      page,
      hasPrevious: cursors.length > 0,
      hasNext: Boolean(nextCursor),
      onPrevious: () => setStack({ key: resetKey, cursors: cursors.slice(0, -1) }),
      onNext: () => {
        if (nextCursor) setStack({ key: resetKey, cursors: [...cursors, nextCursor] });
      },
    }),
  };
}

/**
 * Keyset paging for a list: the server only answers "the page after cursor X", so stepping back
 * means remembering the cursors of the pages already seen. A different `resetKey` (e.g. the
 * filters as a query string) starts again at page one in the same render, with no effect and no
 * request for a stale page; lists whose filters live in state can call `reset` instead.
 */
export function useKeysetPages(resetKey = ""): KeysetPages {
  const [stack, setStack] = useState<CursorStack>({ key: resetKey, cursors: [] });
  return keysetPages(stack, resetKey, setStack);
}
