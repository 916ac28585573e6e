import pg from "pg";
import type { Queryable } from "./client";

/**
 * A named statement for the hottest single-statement paths, through pg's public query API with
 * the least client work it offers: parameters already in PostgreSQL's text input format (pg
 * passes strings through as they are), rows as arrays (`rowMode: "array"`, no object per row)
 * and every column kept as PostgreSQL's text (per-query `types` whose parser is the identity:
 * no Date, no array parsing into strings before the caller turns them into bigints). Decoding is
 * the caller's, with the `…FromText` helpers below. Errors are pg's own (a DatabaseError with the
 * SQLSTATE in `code`).
 */
export type TextRowsQuery = {
  /** Parsed once per connection under this name; one name, one text. */
  name: string;
  text: string;
  /** Each parameter in PostgreSQL's text input format (see textArrayLiteral); null is SQL NULL. */
  values: ReadonlyArray<string | null>;
};

/** One result row: each column's text, null for SQL NULL, in the statement's column order. */
export type TextRow = Array<string | null>;

const keepText = (text: string) => text;
/** pg's per-query type parsers (its `CustomTypesConfig`): every column stays text. */
const textColumns = { getTypeParser: () => keepText } as unknown as pg.CustomTypesConfig;

/** Runs the statement on a pool (a connection of it) or one client, e.g. inside a transaction. */
export async function queryTextRows(queryable: Pick<Queryable, "query">, query: TextRowsQuery): Promise<TextRow[]> {
  const result = await queryable.query<TextRow>({
    name: query.name,
    text: query.text,
    values: query.values as Array<string | null>,
    rowMode: "array",
    types: textColumns,
  });
  return result.rows;
}

const elementNeedsEscape = /["\\]/;
const elementEscapes = /["\\]/g;

/**
 * A text[] parameter in PostgreSQL's array input syntax. Every element is quoted, so commas,
 * braces, spaces and an element spelled NULL stay plain text; quotes and backslashes are
 * backslash-escaped (what pg does for a JS array of strings).
 */
export function textArrayLiteral(values: ReadonlyArray<string | null>): string {
  let literal = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) literal += ",";
    const value = values[i];
    if (value === null || value === undefined) literal += "NULL";
    else if (elementNeedsEscape.test(value)) literal += `"${value.replace(elementEscapes, "\\$&")}"`;
    else literal += `"${value}"`;
  }
  return literal + "}";
}

/** An integer array parameter (bigint[], int[]; numbers must be integers): digits need no quoting. */
export function int8ArrayLiteral(values: ReadonlyArray<bigint | number>): string {
  return `{${values.join(",")}}`;
}

/** A boolean[] parameter. */
export function booleanArrayLiteral(values: ReadonlyArray<boolean>): string {
  let literal = "{";
  for (let i = 0; i < values.length; i++) literal += (i > 0 ? "," : "") + (values[i] ? "t" : "f");
  return literal + "}";
}

/**
 * An int8[] column's text ("{1,-2,3}"). NULL (or a missing column) is refused, elements too:
 * they are not bigints.
 */
export function int8ArrayFromText(text: string | null | undefined): bigint[] {
  if (text == null) throw new TypeError("expected an int8[] value, got NULL");
  if (text === "{}") return [];
  return text.slice(1, -1).split(",").map(BigInt);
}

/** An int8 column's text. */
export function int8FromText(text: string | null | undefined): bigint {
  if (text == null) throw new TypeError("expected an int8 value, got NULL");
  return BigInt(text);
}

/** A boolean column's text ("t" or "f"). */
export function booleanFromText(text: string | null | undefined): boolean {
  if (text == null) throw new TypeError("expected a boolean value, got NULL");
  return text === "t";
}

/** A timestamptz column's text, parsed as pg parses it for `query` (its registered parser). */
export function timestamptzFromText(text: string | null | undefined): Date {
  if (text == null) throw new TypeError("expected a timestamptz value, got NULL");
  return pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, "text")(text) as Date;
}
