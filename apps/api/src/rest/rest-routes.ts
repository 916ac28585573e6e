import type { Meta, RestMeta } from "@agrinet/router";
import type { AnyTRPCRouter } from "@trpc/server";
import { z } from "zod";

export type RestRoute = {
  /** The procedure's dotted tRPC path, e.g. `deposits.create`. */
  procedurePath: string;
  type: "query" | "mutation";
  method: RestMeta["method"];
  /** OpenAPI notation: `/deposit/{depositId}/confirm`. */
  openapiPath: string;
  /** Fastify notation: `/deposit/:depositId/confirm`. */
  fastifyPath: string;
  /** `meta.openapi.formerPaths` in Fastify notation: served, not documented. */
  formerFastifyPaths: string[];
  pathParameters: string[];
  meta: Meta & { openapi: RestMeta };
  /** False when the input is absent or void: query string and body are then ignored. */
  takesInput: boolean;
  /** `meta.openapi.idempotencyKeyField` and that field's schema, to check the header against it. */
  idempotencyKeyField?: { name: string; schema: z.ZodType };
};

type ProcedureDef = {
  type: "query" | "mutation" | "subscription";
  meta?: Meta;
  inputs: { _zod?: { def?: { type?: string } } }[];
};

function idempotencyKeyField(procedurePath: string, def: ProcedureDef): RestRoute["idempotencyKeyField"] {
  const name = def.meta?.openapi?.idempotencyKeyField;
  if (name === undefined) return undefined;
  const input = def.inputs.length === 1 ? def.inputs[0] : undefined;
  const schema = input instanceof z.ZodObject ? (input.shape as Record<string, z.ZodType>)[name] : undefined;
  if (!schema) throw new Error(`${procedurePath}: idempotencyKeyField ${name} is not a field of its input object`);
  return { name, schema };
}

function toFastifyPath(openapiPath: string): string {
  return openapiPath.replace(/\{([^}]+)\}/g, ":$1");
}

/** Every procedure with `meta.openapi`, in registration order; the REST bridge serves exactly these. */
export function listRestRoutes(router: AnyTRPCRouter): RestRoute[] {
  const procedures = router._def.procedures as Record<string, { _def: ProcedureDef }>;
  const routes: RestRoute[] = [];
  const seen = new Set<string>();
  for (const [procedurePath, procedure] of Object.entries(procedures)) {
    const meta = procedure._def.meta;
    if (!meta?.openapi) continue;
    const { type } = procedure._def;
    if (type === "subscription") throw new Error(`${procedurePath}: subscriptions have no REST route`);
    const openapiPath = meta.openapi.path;
    const key = `${meta.openapi.method} ${openapiPath.replace(/\{[^}]+\}/g, "{}")}`;
    if (seen.has(key)) throw new Error(`${procedurePath}: a second procedure claims ${meta.openapi.method} ${openapiPath}`);
    seen.add(key);
    const inputs = procedure._def.inputs;
    const inputType = inputs.length === 1 ? inputs[0]?._zod?.def?.type : undefined;
    routes.push({
      procedurePath,
      type,
      method: meta.openapi.method,
      openapiPath,
      fastifyPath: toFastifyPath(openapiPath),
      formerFastifyPaths: (meta.openapi.formerPaths ?? []).map(toFastifyPath),
      pathParameters: [...openapiPath.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!),
      meta: meta as RestRoute["meta"],
      takesInput: inputs.length > 0 && inputType !== "void" && inputType !== "undefined",
      idempotencyKeyField: idempotencyKeyField(procedurePath, procedure._def),
    });
  }
  return routes;
}
