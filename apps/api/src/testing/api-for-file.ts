// The API on a fresh database for one test file: built before the file's first test, closed and
// dropped after its last. Read the fields inside tests (beforeAll sets them).
import { listMigrationNames, type Db } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { afterAll, beforeAll } from "vitest";
import app, { type AppOptions } from "../app";
import { createTestCredentials, type TestCredentials } from "./credentials";

export type ApiForFile = {
  readonly database: TestDatabase;
  readonly fastify: FastifyInstance;
  readonly credentials: TestCredentials;
};

export function apiForFile(
  options: {
    beforeStart?: (db: Db) => Promise<void>;
    /** App settings beyond the database (limits, trusted proxies, ...). */
    app?: Omit<Partial<AppOptions>, "db" | "expectedMigrations">;
    fastify?: FastifyServerOptions;
  } = {},
): ApiForFile {
  let started: ApiForFile | undefined;
  let database: TestDatabase | undefined;
  let fastify: FastifyInstance | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    await options.beforeStart?.(database.db);
    fastify = Fastify(options.fastify);
    await fastify.register(app, { ...options.app, db: database.db, expectedMigrations: await listMigrationNames() });
    started = { database, fastify, credentials: createTestCredentials({ fastify, db: database.db }) };
  });

  afterAll(async () => {
    await fastify?.close();
    await database?.drop();
  });

  const current = (): ApiForFile => {
    if (!started) throw new Error("apiForFile: read its fields inside a test, after beforeAll");
    return started;
  };
  return {
    get database() {
      return current().database;
    },
    get fastify() {
      return current().fastify;
    },
    get credentials() {
      return current().credentials;
    },
  };
}
