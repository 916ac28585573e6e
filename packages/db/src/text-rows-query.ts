import pg from "pg";
import type { Queryable } from "./client";

/**
 * A named statement for the hottest single-statement paths, with less client work per call than
 * `query({ name, text, values })`: the caller hands over parameters already in PostgreSQL's text
 * input format and gets each row back as its columns' text. pg's own path builds a Query and a
 * Result, copies the config, asks for the row description on every execution (Describe, which
 * PostgreSQL answers each time), looks up a parser per column, turns every array into strings
 * before the caller turns them into bigints, and writes four messages; this writes Bind,
 * Execute and Sync (Parse the first time on a connection) as one buffer and keeps the columns as
 * text. Errors are pg's own (a DatabaseError with the SQLSTATE in `code`), as from `query`.
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

/** What a Submittable sees of pg's connection (pg-protocol). */
type ProtocolConnection = {
  stream: { writable: boolean; write(buffer: Buffer): boolean };
  parsedStatements: Record<string, string | undefined>;
  submittedNamedStatements?: Record<string, string | undefined>;
  sendCopyFail(message: string): void;
};

type Callback = (error: Error | null, rows?: TextRow[]) => void;

/** Runs the statement on a pool (a connection of it) or one client, e.g. inside a transaction. */
export function queryTextRows(queryable: Pick<Queryable, "query">, query: TextRowsQuery): Promise<TextRow[]> {
  return new Promise((resolve, reject) => {
    const submittable = new TextRowsSubmittable(query.name, query.text, query.values);
    // pool.query(submittable, callback) and client.query(submittable, callback) both hand the
    // submittable to a connection and call back once its ReadyForQuery (or error) arrives; the
    // pool releases the connection as for any query.
    const submit = queryable.query as unknown as (submittable: TextRowsSubmittable, callback: Callback) => void;
    submit.call(queryable, submittable, (error, rows) => (error ? reject(error) : resolve(rows!)));
  });
}

class TextRowsSubmittable {
  rows: TextRow[] = [];
  /** Set by pg's client.query from its callback argument. */
  callback: Callback | undefined;

  constructor(
    readonly name: string,
    readonly text: string,
    private readonly values: ReadonlyArray<string | null>,
  ) {}

  submit(connection: ProtocolConnection): Error | null {
    const parsed = connection.parsedStatements[this.name] ?? connection.submittedNamedStatements?.[this.name];
    if (parsed !== undefined && parsed !== this.text) {
      return new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`);
    }
    const messages = extendedQueryMessages(this.name, parsed === undefined ? this.text : undefined, this.values);
    // pg's client records the statement as parsed when ParseComplete arrives (it reads `name`
    // and `text` of the active query) and forgets a submitted one when the query fails.
    if (parsed === undefined && connection.submittedNamedStatements) {
      connection.submittedNamedStatements[this.name] = this.text;
    }
    if (connection.stream.writable) connection.stream.write(messages);
    return null;
  }

  handleRowDescription(): void {}

  handleDataRow(message: { fields: TextRow }): void {
    this.rows.push(message.fields);
  }

  handleCommandComplete(): void {}

  handleEmptyQuery(): void {}

  handlePortalSuspended(): void {}

  handleCopyInResponse(connection: ProtocolConnection): void {
    connection.sendCopyFail("No source stream defined");
  }

  handleCopyData(): void {}

  handleError(error: Error): void {
    const callback = this.callback;
    this.callback = undefined;
    callback?.(error);
  }

  handleReadyForQuery(): void {
    const callback = this.callback;
    this.callback = undefined;
    callback?.(null, this.rows);
  }
}

const execute = Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0]); // 'E', unnamed portal, all rows
const sync = Buffer.from([0x53, 0, 0, 0, 4]); // 'S'

/** Parse (when `text` is given), Bind, Execute and Sync as one buffer; every format is text. */
export function extendedQueryMessages(name: string, text: string | undefined, values: ReadonlyArray<string | null>): Buffer {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: size for the worst case, then trim.
  let bound = 1 + 4 + 1 + 3 * name.length + 1 + 2 + 2 + 2 + execute.length + sync.length;
  if (text !== undefined) bound += 1 + 4 + 3 * name.length + 1 + 3 * text.length + 1 + 2;
  for (const value of values) bound += 4 + (value === null ? 0 : 3 * value.length);
  const buffer = Buffer.allocUnsafe(bound);
  let at = 0;
  const cString = (value: string) => {
    at += buffer.write(value, at, "utf8");
    buffer[at++] = 0;
  };
  if (text !== undefined) {
    const start = at;
    buffer[at] = 0x50; // 'P'
    at += 5;
    cString(name);
    cString(text);
    buffer.writeInt16BE(0, at); // no parameter types: PostgreSQL infers them
    at += 2;
    buffer.writeInt32BE(at - start - 1, start + 1);
  }
  const start = at;
  buffer[at] = 0x42; // 'B'
  at += 5;
  cString(""); // unnamed portal
  cString(name);
  buffer.writeInt16BE(0, at); // parameter formats: all text
  buffer.writeInt16BE(values.length, at + 2);
  at += 4;
  for (const value of values) {
    if (value === null) {
      buffer.writeInt32BE(-1, at);
      at += 4;
    } else {
      const length = buffer.write(value, at + 4, "utf8");
      buffer.writeInt32BE(length, at);
      at += 4 + length;
    }
  }
  buffer.writeInt16BE(0, at); // result formats: all text
  at += 2;
  buffer.writeInt32BE(at - start - 1, start + 1);
  at += execute.copy(buffer, at);
  at += sync.copy(buffer, at);
  return buffer.subarray(0, at);
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
