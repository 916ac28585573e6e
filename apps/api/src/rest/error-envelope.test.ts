import { DomainError } from "@agrinet/core";
import { TRPCError } from "@trpc/server";
import { expect, test } from "vitest";
import { z } from "zod";
import { describeHttpError } from "./error-envelope";

test("a domain error keeps its status, message, fields and details", () => {
  const error = new DomainError("DUPLICATE_REFERENCE", "reference already used", {
    fields: [{ path: "reference", message: "already used" }],
    details: { depositId: "dep_1" },
  });
  expect(describeHttpError(new TRPCError({ code: "CONFLICT", cause: error }), "r1")).toEqual({
    status: 409,
    envelope: {
      error: {
        code: "DUPLICATE_REFERENCE",
        message: "reference already used",
        fields: [{ path: "reference", message: "already used" }],
        requestId: "r1",
        details: { depositId: "dep_1" },
      },
    },
  });
});

test("a zod failure names every field", () => {
  const result = z.object({ amount: z.number(), user: z.object({ id: z.string() }) }).safeParse({ user: {} });
  const { status, envelope } = describeHttpError(new TRPCError({ code: "BAD_REQUEST", cause: result.error }), "r2");
  expect(status).toBe(400);
  expect(envelope.error.code).toBe("VALIDATION_FAILED");
  expect(envelope.error.fields.map((f) => f.path)).toEqual(["amount", "user.id"]);
});

test("Fastify's transport errors map to the table", () => {
  const fastifyError = (code: string, statusCode: number) => Object.assign(new Error("x"), { code, statusCode });
  expect(describeHttpError(fastifyError("FST_ERR_CTP_BODY_TOO_LARGE", 413), "r").status).toBe(413);
  expect(describeHttpError(fastifyError("FST_ERR_CTP_INVALID_MEDIA_TYPE", 415), "r").envelope.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  expect(describeHttpError(fastifyError("FST_ERR_CTP_INVALID_JSON_BODY", 400), "r").envelope.error.fields).toEqual([
    { path: "(body)", message: "malformed JSON" },
  ]);
  expect(describeHttpError(fastifyError("FST_ERR_MAX_PARAM_LENGTH", 414), "r").status).toBe(400);
});

test("anything else is a 500 that reveals nothing", () => {
  const secret = new Error("password=hunter2 at db.internal:5432");
  for (const cause of [secret, new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: secret }), "boom", null]) {
    const { status, envelope } = describeHttpError(cause, "r3");
    expect(status).toBe(500);
    expect(envelope).toEqual({ error: { code: "INTERNAL", message: "internal error", fields: [], requestId: "r3" } });
  }
});

test("a 503 says only to retry", () => {
  const { status, envelope } = describeHttpError(new DomainError("WORKER_OFFLINE", "worker pid 4411 on host-7 is gone"), "r4");
  expect(status).toBe(503);
  expect(envelope.error.message).not.toMatch(/4411|host-7/);
});
