import { describe, expect, it } from "vitest";
import { keysetPages } from "./use-keyset-pages";

type Stack = Parameters<typeof keysetPages>[0];

/** Drives the paging rules the way React would: each setter call becomes the next render's state. */
function pager(resetKey = "") {
  let stack: Stack = { key: resetKey, cursors: [] };
  let key = resetKey;
  const current = () => keysetPages(stack, key, (next) => (stack = next));
  return {
    current,
    setKey: (next: string) => (key = next),
  };
}

describe("keysetPages", () => {
  it("starts on page one with no cursor and nothing to go back to", () => {
    const pages = pager().current();
    expect(pages.cursor).toBeUndefined();
    expect(pages.page).toBe(1);
    expect(pages.pagerProps("c1")).toMatchObject({ page: 1, hasPrevious: false, hasNext: true });
    expect(pages.pagerProps(null).hasNext).toBe(false);
  });

  it("moves forward with the server's next cursor and back through the cursors already seen", () => {
    const p = pager();
    p.current().pagerProps("c1").onNext();
    p.current().pagerProps("c2").onNext();
    expect(p.current()).toMatchObject({ cursor: "c2", page: 3 });
    expect(p.current().pagerProps(null).hasPrevious).toBe(true);

    p.current().pagerProps(null).onPrevious();
    expect(p.current()).toMatchObject({ cursor: "c1", page: 2 });
    p.current().pagerProps("c2").onPrevious();
    expect(p.current()).toMatchObject({ cursor: undefined, page: 1 });
  });

  it("stays put when there is no next page", () => {
    const p = pager();
    p.current().pagerProps(undefined).onNext();
    p.current().pagerProps(null).onNext();
    expect(p.current().page).toBe(1);
  });

  it("lands on the same page when Next is clicked twice before a render", () => {
    const p = pager();
    const { onNext } = p.current().pagerProps("c1");
    onNext();
    onNext();
    expect(p.current()).toMatchObject({ cursor: "c1", page: 2 });
  });

  it("returns to page one on reset", () => {
    const p = pager();
    p.current().pagerProps("c1").onNext();
    p.current().reset();
    expect(p.current()).toMatchObject({ cursor: undefined, page: 1 });
  });

  it("returns to page one in the same render when the reset key changes, and pages on from there", () => {
    const p = pager("status=queued");
    p.current().pagerProps("c1").onNext();
    p.setKey("status=failed");
    expect(p.current()).toMatchObject({ cursor: undefined, page: 1 });
    p.current().pagerProps("f1").onNext();
    expect(p.current()).toMatchObject({ cursor: "f1", page: 2 });
  });
});
