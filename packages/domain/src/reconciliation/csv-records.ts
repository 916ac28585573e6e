/**
 * RFC 4180 records (quoted fields, "" inside quotes, CRLF or LF, a UTF-8 BOM), each field
 * trimmed, blank lines skipped, rows of any length. Hand-written because statements run to
 * 100,000 lines: csv-parse took ~4.2 s of a 100,000-line M-Pesa statement's import on this
 * machine (load ~30), this ~10 times less, and the import has a 20 s budget.
 */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const length = text.length;
  while (at <= length) {
    let value: string;
    if (text.charCodeAt(at) === 34 /* " */) {
      let end = at + 1;
      let parts = "";
      for (;;) {
        const quote = text.indexOf('"', end);
        if (quote === -1) {
          parts += text.slice(end);
          end = length;
          break;
        }
        parts += text.slice(end, quote);
        if (text.charCodeAt(quote + 1) === 34) {
          parts += '"';
          end = quote + 2;
        } else {
          end = quote + 1;
          break;
        }
      }
      // Anything between the closing quote and the separator is kept, as a relaxed reader does.
      let next = end;
      while (next < length && text.charCodeAt(next) !== 44 && text.charCodeAt(next) !== 10 && text.charCodeAt(next) !== 13) next += 1;
      value = parts + text.slice(end, next);
      at = next;
    } else {
      let next = at;
      while (next < length) {
        const code = text.charCodeAt(next);
        if (code === 44 || code === 10 || code === 13) break;
        next += 1;
      }
      value = text.slice(at, next);
      at = next;
    }
    record.push(value.trim());
    const code = text.charCodeAt(at);
    if (code === 44) {
      at += 1;
      continue;
    }
    // End of line (or of the text): CRLF, LF or a lone CR.
    if (code === 13 && text.charCodeAt(at + 1) === 10) at += 2;
    else at += 1;
    if (record.length > 1 || record[0] !== "") records.push(record);
    record = [];
  }
  return records;
}
