import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { listMigrationNames } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { seedDemoData } from "@agrinet/domain";
import { partnerScopes } from "@agrinet/router";
import app from "../app";
import { frameworkErrors } from "./error-envelope";

const run = promisify(execFile);
const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
const examples = [...readme.matchAll(/```sh\n# expect (\d{3})\n([\s\S]*?)```/g)].map((match) => ({
  status: Number(match[1]),
  command: match[2]!.trim(),
}));

let database: TestDatabase;
let fastify: FastifyInstance;
let origin: string;

beforeAll(async () => {
  database = await createTestDatabase();
  fastify = Fastify({ genReqId: () => randomUUID(), frameworkErrors });
  // The examples run against the demo data `pnpm start` seeds, with a live worker's heartbeat.
  await seedDemoData({
    db: database.db,
    access: {
      adminEmail: "admin@agrinet.local",
      adminPassword: "agrinet-dev-password",
      partnerApiKey: "agp_dev_partner_key_0000000000000000000000000000",
      partnerScopes,
    },
  });
  await database.db.workerHeartbeat.create({ data: { workerId: "readme-examples", hostname: "test", pid: 1 } });
  await fastify.register(app, { db: database.db, expectedMigrations: await listMigrationNames() });
  origin = await fastify.listen({ host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await fastify?.close();
  await database?.drop();
});

test("the README has examples", () => {
  expect(examples.length).toBeGreaterThanOrEqual(12);
});

test.each(examples)("README: $command → $status", async ({ command, status }) => {
  const live = command.replaceAll("http://127.0.0.1:4000", origin);
  const { stdout } = await run("sh", ["-c", `${live} -o /dev/null -w '%{http_code}'`]);
  expect(Number(stdout.trim())).toBe(status);
});
