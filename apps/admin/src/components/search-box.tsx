"use client";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, type FormEvent } from "react";

/**
 * The global search box in the header. "/" or Ctrl+K (⌘K) focuses it from anywhere except a
 * text field; Enter opens /search, which goes straight to a single match.
 */
export function SearchBox() {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement | null;
      const typing = target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
      if ((event.key === "/" && !typing && !event.ctrlKey && !event.metaKey) || ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k")) {
        event.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const query = String(new FormData(event.currentTarget).get("q") ?? "").trim();
    if (query) router.push(`/search?q=${encodeURIComponent(query)}`);
  }

  return (
    <form role="search" onSubmit={submit} className="mb-3 mt-2 md:mt-0">
      <label htmlFor={id} className="sr-only">
        Search deposits, payouts, contracts, ledger transactions and users
      </label>
      <input
        ref={input}
        id={id}
        name="q"
        type="search"
        placeholder="Id, receipt, phone, amount ( / )"
        aria-keyshortcuts="/ Control+K"
        className="block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm focus:border-emerald-600 focus:outline-2 focus:outline-emerald-600"
      />
    </form>
  );
}
