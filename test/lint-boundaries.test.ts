// The package boundaries are enforced by eslint.config.js: each rule is shown refusing a violating
// import (and letting the allowed form through) with the project's own configuration.
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { expect, test } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const eslint = new ESLint({ cwd: root });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = [];\n`, { filePath });
  return result!.messages
    .filter((m) => m.ruleId === "@typescript-eslint/no-restricted-imports")
    .map((m) => m.message);
}

const domainFile = "packages/domain/src/payouts/boundary-check.ts";
const routerFile = "packages/router/src/routers/payouts/boundary-check.ts";
const adminFile = "apps/admin/src/app/boundary-check.tsx";

test.each([
  ['import fastify from "fastify";', "HTTP belongs in apps/api"],
  ['import cors from "@fastify/cors";', "HTTP belongs in apps/api"],
  ['import type { FastifyInstance } from "fastify";', "HTTP belongs in apps/api"],
  ['import { initTRPC } from "@trpc/server";', "tRPC belongs in packages/router"],
  ['import { useState } from "react";', "React and Next.js"],
  ['import Link from "next/link";', "React and Next.js"],
  ['import { run } from "graphile-worker";', "@agrinet/job-queue"],
])("domain may not import it: %s", async (code, reason) => {
  const messages = await restrictedImports(domainFile, code);
  expect(messages).toHaveLength(1);
  expect(messages[0]).toContain(reason);
});

test.each([
  'import pg from "pg";',
  'import { PrismaClient } from "@prisma/client";',
  'import type { PoolClient } from "pg";',
])("the router may not reach the database directly: %s", async (code) => {
  const messages = await restrictedImports(routerFile, code);
  expect(messages).toHaveLength(1);
  expect(messages[0]).toContain("through domain functions");
});

test.each([
  'import { appRouter } from "@agrinet/router";',
  'import { createPayout } from "@agrinet/domain";',
  'import { createDb } from "@agrinet/db";',
])("the dashboard imports router types only: %s", async (code) => {
  expect(await restrictedImports(adminFile, code)).toHaveLength(1);
});

test("the allowed imports pass", async () => {
  expect(await restrictedImports(adminFile, 'import type { AppRouter } from "@agrinet/router";')).toEqual([]);
  expect(await restrictedImports(routerFile, 'import type { Db } from "@agrinet/db";\nimport { createPayout } from "@agrinet/domain";')).toEqual([]);
  expect(await restrictedImports(domainFile, 'import { addPayoutJob } from "@agrinet/job-queue";\nimport type { Db } from "@agrinet/db";')).toEqual([]);
});
