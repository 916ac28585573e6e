import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/generated/**",
      "**/dist/**",
      ".data/**",
      "test-results/**",
      "playwright-report/**",
      "scratch/**",
      "**/next-env.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "no-console": "off",
    },
  },
  {
    // env.ts is the only reader of process.env in each app.
    files: ["apps/*/src/**/*.ts", "apps/*/src/**/*.tsx", "packages/*/src/**/*.ts"],
    ignores: ["**/env.ts", "**/*.test.ts", "**/*.integration-test.ts", "**/*.reliability-test.ts", "**/*.failover-test.ts", "**/testing/**"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "read configuration in env.ts only" },
      ],
    },
  },
  // Dependencies point one way (apps -> router -> domain -> db/core); `lint-boundaries.test.ts`
  // shows each of these refuses a violating import.
  {
    files: ["packages/domain/src/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["fastify", "fastify/*", "fastify-*", "@fastify/*"],
              message: "domain is transport-free: HTTP belongs in apps/api",
            },
            { group: ["@trpc/*"], message: "domain is transport-free: tRPC belongs in packages/router" },
            { group: ["react", "react/*", "react-dom", "react-dom/*", "next", "next/*"], message: "domain has no UI: React and Next.js belong in apps/admin and packages/ui" },
            { group: ["graphile-worker", "graphile-worker/*"], message: "queue jobs through @agrinet/job-queue" },
          ],
        },
      ],
    },
  },
  {
    files: ["packages/router/src/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["pg", "pg/*", "@prisma/*", "prisma"], message: "procedures reach the database through domain functions (and @agrinet/db's types)" },
          ],
        },
      ],
    },
  },
  {
    files: ["apps/admin/**/*.ts", "apps/admin/**/*.tsx"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@agrinet/router", allowTypeImports: true, message: "the dashboard imports the router's types only (import type), and calls it over tRPC" },
          ],
          patterns: [
            {
              group: ["@agrinet/router/*", "@agrinet/domain", "@agrinet/domain/*", "@agrinet/db", "@agrinet/db/*", "@agrinet/stores", "@agrinet/stores/*", "@agrinet/job-queue", "@agrinet/job-queue/*", "@agrinet/rails", "@agrinet/rails/*", "pg", "@prisma/*", "graphile-worker"],
              message: "the dashboard is UI only: it reaches the server through the typed tRPC client",
            },
          ],
        },
      ],
    },
  },
);
