// Per-file test databases, cloned from the migrated template that test/global-setup.ts builds.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createDb, type Db } from "../client";
import { withPgClient } from "../migrations";

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: { adminUrl: string; template: string };
  }
}

export type TestDatabase = {
  url: string;
  name: string;
  db: Db;
  /** Drops the database; call in afterAll. */
  drop(): Promise<void>;
};

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const { adminUrl, template } = inject("testDatabase");
  const name = `test_${randomBytes(6).toString("hex")}`;
  await withPgClient(adminUrl, async (client) => {
    // PostgreSQL refuses to copy a template that another CREATE DATABASE is copying at the
    // same moment (55006), which happens when test files start together: retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`create database ${name} template ${template}`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== "55006" || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
      }
    }
  });
  const url = withDatabase(adminUrl, name);
  const db = createDb({ connectionString: url, maxConnections: 20 });
  return {
    url,
    name,
    db,
    async drop() {
      await db.$disconnect();
      await withPgClient(adminUrl, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      );
    },
  };
}
export { startTcpProxy, type TcpProxy } from "./tcp-proxy";
