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
export function unknownInputKeys(schema: z.ZodType, value: unknown, path: string[] = []): string[] {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  if (wrappers.has(def.type)) return value === undefined || value === null ? [] : unknownInputKeys(def.innerType!, value, path);
  switch (def.type) {
    case "object": {
      if (!isPlainObject(value)) return [];
      const shape = def.shape!;
      const loose = def.catchall !== undefined && def.catchall._zod.def.type !== "never";
      const unknown: string[] = [];
      for (const [key, field] of Object.entries(value)) {
        // Own keys only: `toString` or `__proto__` in the input must not find Object.prototype's.
        const child = Object.hasOwn(shape, key) ? shape[key] : undefined;
        if (child) unknown.push(...unknownInputKeys(child, field, [...path, key]));
        else if (!loose) unknown.push([...path, key].join("."));
      }
      return unknown;
    }
    case "pipe":
      return unknownInputKeys(def.in!, value, path);
    case "lazy":
      return unknownInputKeys(def.getter!(), value, path);
    case "array":
      return Array.isArray(value) ? value.flatMap((item, i) => unknownInputKeys(def.element!, item, [...path, String(i)])) : [];
    case "tuple":
      return Array.isArray(value)
        ? def.items!.flatMap((item, i) => unknownInputKeys(item, value[i], [...path, String(i)]))
        : [];
    case "record":
      return isPlainObject(value)
        ? Object.entries(value).flatMap(([key, item]) => unknownInputKeys(def.valueType!, item, [...path, key]))
        : [];
    case "intersection": {
      // A key is unknown only if neither side declares it.
      const right = new Set(unknownInputKeys(def.right!, value, path));
      return unknownInputKeys(def.left!, value, path).filter((key) => right.has(key));
    }
    case "union": {
      // The option that fits best decides: none unknown if any option declares every key.
      let best: string[] | undefined;
      for (const option of def.options!) {
        const unknown = unknownInputKeys(option, value, path);
        if (best === undefined || unknown.length < best.length) best = unknown;
        if (unknown.length === 0) break;
      }
      return best ?? [];
    }
    default:
      return [];
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
