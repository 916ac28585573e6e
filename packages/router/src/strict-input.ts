import { DomainError } from "@agrinet/core";
import type { AnyTRPCProcedure, AnyTRPCRouter } from "@trpc/server";
import { z } from "zod";

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  valueType?: z.ZodType;
  items?: z.ZodType[];
  getter?: () => z.ZodType;
};

const wrappers = new Set(["optional", "nullable", "default", "prefault", "catch", "readonly", "nonoptional"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Paths of the keys in `value` that `schema` does not declare, at any depth. zod's objects strip
 * unknown keys silently, so `"ammount"` or `?consumerId=` (a filter that does not exist) would be
 * dropped and the call would run as if the caller had not asked; a partner expects a 400 naming
 * the key, as Stripe answers. Records and loose objects accept any key by design.
 */
export function unknownInputKeys(schema: z.ZodType, value: unknown): string[] {
  const unknown: string[] = [];
  collectUnknownKeys(schema, value, [], unknown);
  return unknown;
}

// Every request's input is walked: the path is one array pushed and popped as the walk goes, and
// a dotted path is built only for a key that is reported.
function collectUnder(key: string, child: z.ZodType, item: unknown, path: string[], unknown: string[]): void {
  path.push(key);
  collectUnknownKeys(child, item, path, unknown);
  path.pop();
}

function collectUnknownKeys(schema: z.ZodType, value: unknown, path: string[], unknown: string[]): void {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  if (wrappers.has(def.type)) {
    if (value !== undefined && value !== null) collectUnknownKeys(def.innerType!, value, path, unknown);
    return;
  }
  switch (def.type) {
    case "object": {
      if (!isPlainObject(value)) return;
      const shape = def.shape!;
      const loose = def.catchall !== undefined && def.catchall._zod.def.type !== "never";
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        // Own keys only: `toString` or `__proto__` in the input must not find Object.prototype's.
        const child = Object.hasOwn(shape, key) ? shape[key] : undefined;
        if (child) collectUnder(key, child, value[key], path, unknown);
        else if (!loose) unknown.push(path.length === 0 ? key : `${path.join(".")}.${key}`);
      }
      return;
    }
    case "pipe":
      return collectUnknownKeys(def.in!, value, path, unknown);
    case "lazy":
      return collectUnknownKeys(def.getter!(), value, path, unknown);
    case "array":
      if (Array.isArray(value)) value.forEach((item, i) => collectUnder(String(i), def.element!, item, path, unknown));
      return;
    case "tuple":
      if (Array.isArray(value)) def.items!.forEach((item, i) => collectUnder(String(i), item, value[i], path, unknown));
      return;
    case "record":
      if (isPlainObject(value)) for (const key in value) if (Object.hasOwn(value, key)) collectUnder(key, def.valueType!, value[key], path, unknown);
      return;
    case "intersection": {
      // A key is unknown only if neither side declares it.
      const left: string[] = [];
      const right: string[] = [];
      collectUnknownKeys(def.left!, value, path, left);
      collectUnknownKeys(def.right!, value, path, right);
      for (const key of left) if (right.includes(key)) unknown.push(key);
      return;
    }
    case "union": {
      // The option that fits best decides: none unknown if any option declares every key.
      let best: string[] | undefined;
      for (const option of def.options!) {
        const found: string[] = [];
        collectUnknownKeys(option, value, path, found);
        if (best === undefined || found.length < best.length) best = found;
        if (found.length === 0) break;
      }
      if (best) unknown.push(...best);
      return;
    }
    default:
      return;
  }
}

/**
 * Throws VALIDATION_FAILED naming every key of `value` that none of `schemas` declares: a
 * procedure with several `.input()`s merges them, so each sees the keys of the others.
 */
export function rejectUnknownKeys(schemas: z.ZodType[], value: unknown): void {
  const [first, ...others] = schemas.map((schema) => unknownInputKeys(schema, value));
  const unknown = (first ?? []).filter((key) => others.every((keys) => keys.includes(key)));
  if (unknown.length === 0) return;
  throw new DomainError(
    "VALIDATION_FAILED",
    unknown.map((key) => `${key}: unknown parameter`).join("; "),
    { fields: unknown.map((key) => ({ path: key, message: "unknown parameter" })) },
  );
}

/**
 * Each procedure's zod inputs, by its meta object: a middleware sees the procedure's `meta` but
 * not its inputs. Filled by `withStrictInputs`.
 */
const inputsByMeta = new WeakMap<object, z.ZodType[]>();

/**
 * Makes the procedures of `router` refuse keys their input schemas do not declare (the
 * unknown-keys step of every procedure's `guard` middleware, through tRPC and the REST bridge
 * alike): one input contract whatever the transport. Reads each procedure's `_def` (its meta and inputs, as
 * trpc-to-openapi does) and changes nothing in it. Idempotent.
 */
export function withStrictInputs<TRouter extends AnyTRPCRouter>(router: TRouter): TRouter {
  for (const [path, procedure] of Object.entries(router._def.procedures as Record<string, AnyTRPCProcedure>)) {
    const { meta, inputs } = procedure._def as { meta?: object; inputs: unknown[] };
    const schemas = inputs.filter((input): input is z.ZodType => input instanceof z.ZodType);
    if (!meta || schemas.length === 0) continue;
    const known = inputsByMeta.get(meta);
    if (known && (known.length !== schemas.length || known.some((schema, i) => schema !== schemas[i]))) {
      throw new Error(`${path}: procedures with different inputs share one meta object; give each its own .meta()`);
    }
    inputsByMeta.set(meta, schemas);
  }
  return router;
}

/** The input schemas `withStrictInputs` recorded for the procedure with this meta, if any. */
export function strictInputsOf(meta: object | undefined): z.ZodType[] | undefined {
  return meta ? inputsByMeta.get(meta) : undefined;
}
