import type { NotificationHub } from "@agrinet/domain";
import { appRouter, createCallerFactory, type Context } from "@agrinet/router";
import type { FastifyRequest } from "fastify";

export type ContextDeps = {
  /** The same context /trpc and the REST bridge build, principal included. */
  createContext: (request: FastifyRequest) => Context;
  notificationHub?: NotificationHub;
};

const createCaller = createCallerFactory(appRouter);

/** Plain routes call procedures, so validation and `meta.access` apply exactly as over tRPC. */
export function callerFor(deps: ContextDeps, request: FastifyRequest) {
  return createCaller(deps.createContext(request));
}
