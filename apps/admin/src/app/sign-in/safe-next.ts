/**
 * Where to go after signing in: `next` only when it is a plain path on this site. Browsers drop
 * tabs and line breaks from URLs, so `/\t/evil.example` would become the protocol-relative
 * `//evil.example`; any control character or backslash refuses it outright, and what is left
 * must resolve to this very origin.
 */
export function safeNextPath(next: string | null, origin: string): string {
  // eslint-disable-next-line no-control-regex
  if (!next || !next.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(next) || next.startsWith("//")) return "/";
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return "/";
  }
  return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : "/";
}
