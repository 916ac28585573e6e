import { getSystemStatus } from "@agrinet/domain";
import { z } from "zod";
import { procedure } from "../../trpc";

const part = z.enum(["ok", "unavailable", "pending", "offline"]);

export const systemStatusOutput = z.object({
  status: z.enum(["ok", "degraded"]),
  database: part,
  migrations: part,
  worker: part,
  details: z.object({
    pendingMigrations: z.array(z.string()),
    workers: z.array(
      z.object({ workerId: z.string(), hostname: z.string(), pid: z.number(), ageMs: z.number() }),
    ),
    checkedAt: z.string(),
  }),
});

export const getStatusProcedure = procedure
  .meta({
    access: { public: true },
    description: "Database, migrations and worker health; the workers' hosts and pids are listed for staff only.",
    openapi: {
      method: "GET",
      path: "/api/v1/system/status",
      summary: "System status",
      tags: ["system"],
    },
  })
  .input(z.void())
  .output(systemStatusOutput)
  .query(async ({ ctx }) => {
    const status = await getSystemStatus({ db: ctx.db, expectedMigrations: ctx.expectedMigrations });
    if (ctx.principal?.kind === "staff") return status;
    // Hostnames, pids and worker ids map the deployment for anyone asking: staff only.
    return { ...status, details: { ...status.details, workers: [] } };
  });
