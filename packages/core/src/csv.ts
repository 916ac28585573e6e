/**
 * One CSV cell. A cell starting with = + - @ (or a tab or carriage return) is evaluated by
 * spreadsheets: a reference or a name like `=HYPERLINK(…)` from outside input must stay text in
 * the operator's Excel, so it gets a leading apostrophe. Plain numbers (negative amounts) are
 * left as numbers. Quotes, commas and line breaks are quoted as RFC 4180 says.
 */
export function csvCell(value: string | number | bigint | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
