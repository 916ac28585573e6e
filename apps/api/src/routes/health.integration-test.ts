import { listMigrationNames } from "@agrinet/db";
import Fastify from "fastify";
import { expect, test } from "vitest";
import app from "../app";
import { apiForFile } from "../testing/api-for-file";

const api = apiForFile();

test("healthz answers while the process is alive", async () => {
  const response = await api.fastify.inject({ method: "GET", url: "/healthz" });
  expect(response.statusCode).toBe(200);
});

test("readyz names the worker when no worker has beaten", async () => {
  await api.database.db.workerHeartbeat.deleteMany();
  const response = await api.fastify.inject({ method: "GET", url: "/readyz" });
  expect(response.statusCode).toBe(503);
  expect(response.json()).toMatchObject({
    database: "ok",
    migrations: "ok",
    worker: "offline",
    failing: ["worker"],
  });
});

test("readyz is ok with a fresh heartbeat and all migrations applied", async () => {
  await api.database.db.workerHeartbeat.create({ data: { workerId: "w1", hostname: "h", pid: 1 } });
  const response = await api.fastify.inject({ method: "GET", url: "/readyz" });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toEqual({
    status: "ok",
    database: "ok",
    migrations: "ok",
    worker: "ok",
  });
});

test("a stale heartbeat counts as no worker", async () => {
  await api.database.db.workerHeartbeat.updateMany({ data: { beatAt: new Date(Date.now() - 60_000) } });
  const response = await api.fastify.inject({ method: "GET", url: "/readyz" });
  expect(response.statusCode).toBe(503);
  expect(response.json().worker).toBe("offline");
});

test("readyz names migrations the database lacks", async () => {
  const local = Fastify();
  await local.register(app, {
    db: api.database.db,
    expectedMigrations: [...(await listMigrationNames()), "29991231000000_not_applied"],
  });
  const response = await local.inject({ method: "GET", url: "/readyz" });
  await local.close();
  expect(response.statusCode).toBe(503);
  expect(response.json()).toMatchObject({ migrations: "pending" });
  expect(response.json().details.pendingMigrations).toEqual(["29991231000000_not_applied"]);
});

test("the typed tRPC endpoint serves the system status", async () => {
  const response = await api.fastify.inject({ method: "GET", url: "/trpc/system.getStatus" });
  expect(response.statusCode).toBe(200);
  expect(response.json().result.data).toMatchObject({ database: "ok", migrations: "ok" });
});

test("with DATABASE_READ_URL, readyz shows how stale its reads may be, without making the API unready", async () => {
  const local = Fastify();
  // The same database stands in for the read server: a primary, so no replay lag applies.
  await local.register(app, { db: api.database.db, readDb: api.database.db, expectedMigrations: await listMigrationNames() });
  await api.database.db.workerHeartbeat.create({ data: { workerId: "w-read", hostname: "h", pid: 1 } });
  const response = await local.inject({ method: "GET", url: "/readyz" });
  await local.close();
  expect(response.statusCode).toBe(200);
  expect(response.json()).toMatchObject({ status: "ok", readReplica: { status: "ok", replica: false, replayLagSeconds: null } });
});
