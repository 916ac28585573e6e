// isDatabaseUnavailable (@agrinet/core, which knows neither pg nor Prisma) against the errors pg and
// Prisma 7 with @prisma/adapter-pg throw during a Patroni failover, built with their own classes
// and the codes and messages the drill (`pnpm test:failover`) logged.
import { isDatabaseUnavailable } from "@agrinet/core";
import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { expect, test } from "vitest";
import { Prisma } from "./generated/prisma/client";

/** What pg's parser builds from an ErrorResponse. */
function postgresError(severity: "ERROR" | "FATAL", code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, "error");
  return Object.assign(error, { severity, code, file: "postgres.c", routine: "x" });
}

/** @prisma/adapter-pg's conversion of a pg error with a SQLSTATE it has no kind for. */
function adapterError(error: pg.DatabaseError): DriverAdapterError {
  return new DriverAdapterError({
    originalCode: error.code,
    originalMessage: error.message,
    kind: "postgres",
    code: error.code ?? "N/A",
    severity: error.severity ?? "N/A",
    message: error.message,
    detail: undefined,
    column: undefined,
    hint: undefined,
  });
}

/** What Prisma throws for it: P2010 from $queryRaw, P2039 from a model query. */
function prismaError(code: "P2010" | "P2039", cause: DriverAdapterError): Prisma.PrismaClientKnownRequestError {
  return new Prisma.PrismaClientKnownRequestError(`\nInvalid \`prisma.$queryRaw()\` invocation:\n\n\n${cause.message}`, {
    code,
    clientVersion: Prisma.prismaVersion.client,
    meta: { driverAdapterError: cause },
  });
}

const readOnly = postgresError("ERROR", "25006", "cannot execute INSERT in a read-only transaction");

test("a write refused by a standby still finishing its promotion (25006) is 'database unavailable', through pg and through Prisma", () => {
  // HAProxy sends writes to the node whose Patroni holds the leader lock, which answers 200 on
  // /primary before PostgreSQL has left recovery: the drill's three 500s were these.
  expect(isDatabaseUnavailable(readOnly)).toBe(true);
  expect(isDatabaseUnavailable(prismaError("P2010", adapterError(readOnly)))).toBe(true);
  expect(isDatabaseUnavailable(prismaError("P2039", adapterError(postgresError("ERROR", "25006", "cannot execute SELECT FOR UPDATE in a read-only transaction"))))).toBe(true);
});

test("connections cut by HAProxy or by the dying postmaster's backends are 'database unavailable'", () => {
  expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
  expect(isDatabaseUnavailable(new Error("Client has encountered a connection error and is not queryable"))).toBe(true);
  expect(isDatabaseUnavailable(new Error("Client was closed and is not queryable"))).toBe(true);
  expect(isDatabaseUnavailable(postgresError("FATAL", "57P01", "terminating connection due to unexpected postmaster exit"))).toBe(true);
  expect(isDatabaseUnavailable(prismaError("P2039", adapterError(postgresError("FATAL", "57P01", "terminating connection due to administrator command"))))).toBe(true);
  // A reset socket, as @prisma/adapter-pg maps it (kind ConnectionClosed), behind $queryRaw's P2010.
  expect(isDatabaseUnavailable(prismaError("P2010", new DriverAdapterError({ kind: "ConnectionClosed" })))).toBe(true);
  expect(isDatabaseUnavailable(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", errno: -104, syscall: "read" }))).toBe(true);
});

test("refusals by a working database are not", () => {
  const unique = postgresError("ERROR", "23505", 'duplicate key value violates unique constraint "deposits_reference_key"');
  expect(isDatabaseUnavailable(unique)).toBe(false);
  expect(isDatabaseUnavailable(prismaError("P2010", adapterError(unique)))).toBe(false);
  expect(isDatabaseUnavailable(prismaError("P2039", adapterError(postgresError("ERROR", "P0001", "INSUFFICIENT_FUNDS"))))).toBe(false);
  expect(isDatabaseUnavailable(postgresError("ERROR", "40P01", "deadlock detected"))).toBe(false);
});
