// Starts one PostgreSQL for the whole run (embedded, or the server in DATABASE_URL), builds a
// migrated template database, and hands its name to the test files, which clone it per file.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { migrateJobQueue } from "../packages/job-queue/src/job-runner";
import { startEmbeddedPostgres } from "../packages/db/src/embedded";
import { applyMigrations, withPgClient } from "../packages/db/src/migrations";

export default async function setup(project: TestProject) {
  const externalUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  let adminUrl: string;
  if (externalUrl) {
    adminUrl = externalUrl;
  } else {
    const dataRoot = await mkdtemp(join(tmpdir(), "agrinet-test-pg-"));
    const server = await startEmbeddedPostgres({
      dataDir: join(dataRoot, "data"),
      persistent: false,
      durability: "none",
      maxConnections: 400,
    });
    adminUrl = server.url();
    stop = async () => {
      await server.stop();
      await rm(dataRoot, { recursive: true, force: true });
    };
  }

  const template = `agrinet_template_${process.pid}`;
  await withPgClient(adminUrl, async (client) => {
    await client.query(`drop database if exists ${template}`);
    await client.query(`create database ${template}`);
  });
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  await applyMigrations(templateUrl.toString());
  await migrateJobQueue(templateUrl.toString());

  // The migration engine's pool may linger; a template must have no sessions to be copied.
  await withPgClient(adminUrl, (client) =>
    client.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
      [template],
    ),
  );

  project.provide("testDatabase", { adminUrl, template });

  return async () => {
    await withPgClient(adminUrl, (client) =>
      client.query(`drop database if exists ${template} with (force)`),
    ).catch(() => {});
    await stop();
  };
}
