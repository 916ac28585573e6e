import { randomUUID } from "node:crypto";
import { listMigrationNames } from "@agrinet/db";
import type { TestDatabase } from "@agrinet/db/testing";
import Fastify, { type FastifyInstance } from "fastify";
import app, { type AppOptions } from "../../app";
import { clientErrorHandler, frameworkErrors } from "../error-envelope";
import { createExampleRouter, createExampleState, type ExampleState } from "./example-router";

/** The real app plugin on a test database, serving the example procedures beside the real ones. */
export async function buildTestApp(
  database: TestDatabase,
  options: Partial<AppOptions> & {
    effectDelayMs?: number;
    onRoute?: (route: { method: string | string[]; url: string; config?: { formerPath?: boolean } }) => void;
    /** Share the example procedures' state with another app: two API processes, one world. */
    state?: ExampleState;
  } = {},
): Promise<{ fastify: FastifyInstance; state: ExampleState }> {
  const { state = createExampleState(), effectDelayMs, onRoute, ...appOptions } = options;
  const fastify = Fastify({ genReqId: () => randomUUID(), logger: false, frameworkErrors, clientErrorHandler });
  if (onRoute) fastify.addHook("onRoute", onRoute);
  await fastify.register(app, {
    db: database.db,
    expectedMigrations: await listMigrationNames(),
    router: createExampleRouter(state, { effectDelayMs }),
    ...appOptions,
  });
  await fastify.ready();
  return { fastify, state };
}
