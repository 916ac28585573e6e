import type { FastifyServerOptions } from "fastify";
import type { ApiEnv } from "./env";

/**
 * Options of the API's Fastify server that come from the environment. X-Forwarded-For is
 * believed only from TRUSTED_PROXIES (the dashboard's proxy, a load balancer): from anyone else
 * it would let a client pick the address its rate limits and sign-in throttle count against.
 */
export function fastifyServerOptions(env: Pick<ApiEnv, "TRUSTED_PROXIES">): Pick<FastifyServerOptions, "trustProxy"> {
  return { trustProxy: env.TRUSTED_PROXIES.length > 0 ? env.TRUSTED_PROXIES : false };
}
