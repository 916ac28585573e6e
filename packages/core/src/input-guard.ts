import { DomainError, type FieldIssue } from "./errors";

/**
 * Bounds on any request input, whatever its schema: deeper or larger JSON is refused before a
 * validator, a JSON column or a recursive walk has to deal with it.
 */
export const inputLimits = { maxDepth: 32, maxValues: 10_000 } as const;

// PostgreSQL's text cannot hold U+0000, and a lone surrogate is not valid UTF-8: either makes
// the query fail (500 for a client error) or the value unreadable later.
// eslint-disable-next-line no-control-regex
const unstorableText = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textIssue(text: string): string | null {
  if (!unstorableText.test(text)) return null;
  return text.includes("\u0000")
    ? "contains a NUL character (U+0000), which cannot be stored"
    : "contains a lone UTF-16 surrogate, which is not valid Unicode";
}

function printableKey(key: string): string {
  // A path naming the field must itself be printable.
  return JSON.stringify(key).slice(1, -1);
}

/**
 * The first part of `input` that cannot be stored as text (NUL, lone surrogates, in keys or
 * values) or that exceeds `inputLimits`, with its dotted path; null when all is well.
 */
export function findUnstorableInput(input: unknown): FieldIssue | null {
  let values = 0;
  // The keys down to the value being looked at, pushed and popped as the walk goes: every request
  // is walked, and a path is only needed for the one issue reported.
  const path: Array<string | number> = [];
  const pathOf = (keys: Array<string | number>) =>
    keys.map((key) => (typeof key === "number" ? String(key) : printableKey(key))).join(".") || "(input)";

  function walk(value: unknown, depth: number): FieldIssue | null {
    if (++values > inputLimits.maxValues) {
      return { path: pathOf(path.slice(0, 1)), message: `more than ${inputLimits.maxValues} values` };
    }
    if (typeof value === "string") {
      const message = textIssue(value);
      return message ? { path: pathOf(path), message } : null;
    }
    if (typeof value !== "object" || value === null) return null;
    if (depth >= inputLimits.maxDepth) {
      return { path: pathOf(path), message: `nested deeper than ${inputLimits.maxDepth} levels` };
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const issue = walk(value[i], depth + 1);
        path.pop();
        if (issue) return issue;
      }
      return null;
    }
    if (value instanceof Date || value instanceof Uint8Array) return null;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      path.push(key);
      const keyMessage = textIssue(key);
      const issue = keyMessage
        ? { path: pathOf(path), message: `key ${keyMessage}` }
        : walk((value as Record<string, unknown>)[key], depth + 1);
      path.pop();
      if (issue) return issue;
    }
    return null;
  }

  return walk(input, 0);
}

/** Throws 400 VALIDATION_FAILED naming the field when `findUnstorableInput` finds something. */
export function assertStorableInput(input: unknown, pathPrefix?: string): void {
  const issue = findUnstorableInput(input);
  if (!issue) return;
  const path = pathPrefix ? (issue.path === "(input)" ? pathPrefix : `${pathPrefix}.${issue.path}`) : issue.path;
  throw new DomainError("VALIDATION_FAILED", `${path}: ${issue.message}`, { fields: [{ path, message: issue.message }] });
}
