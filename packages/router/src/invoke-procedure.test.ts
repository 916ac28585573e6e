import { DomainError } from "@agrinet/core";
import { TRPCError } from "@trpc/server";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import type { Principal } from "./access";
import type { Context } from "./context";
import { everythingOwnedDb } from "./testing-tenancy";
import { procedureInvoker } from "./invoke-procedure";
import { withStrictInputs } from "./strict-input";
import { createCallerFactory, middleware, procedure, router } from "./trpc";

const partner: Principal = { kind: "partner", partnerId: "partner_default", keyId: "k1", name: "p", scopes: ["deposits:write"] };
const user: Principal = { kind: "user", partnerId: "partner_default", userId: "u1" };
const context = (principal: Principal | null) => ({ principal, requestId: "r1", db: everythingOwnedDb() }) as unknown as Context;

// Adds to the context and rewrites the input, as a middleware may.
const tagged = middleware(({ next }) => next({ ctx: { tag: "from-middleware" } }));
const doubled = middleware(async ({ next, input }) =>
  next({ input: { ...(input as { amount: bigint }), amount: (input as { amount: bigint }).amount * 2n } }),
);

const testRouter = router({
  deposits: router({
    create: procedure
      .meta({ access: { partner: ["deposits:write"], user: "self" } })
      .use(tagged)
      .input(z.object({ userId: z.string(), amount: z.coerce.bigint().positive(), note: z.string().trim().default("none") }))
      .use(doubled)
      .output(z.object({ amount: z.bigint().transform(String), tag: z.string(), note: z.string(), path: z.string() }))
      .mutation(({ input, ctx, path }) => {
        if (input.note === "duplicate") throw new DomainError("DUPLICATE_REFERENCE", "reference already used");
        if (input.note === "crash") throw new Error("boom");
        return { amount: input.amount, tag: (ctx as Context & { tag: string }).tag, note: input.note, path, internal: "stripped" };
      }),
    // An async check (zod must parse it asynchronously) and two merged inputs.
    checked: procedure
      .meta({ access: { partner: ["deposits:write"] } })
      .input(z.object({ reference: z.string().refine(async (r) => r !== "taken", "reference taken") }))
      .input(z.object({ amount: z.coerce.number().int() }))
      .output(z.object({ reference: z.string(), amount: z.number() }).refine(async (o) => o.amount !== 13, "unlucky"))
      .mutation(({ input }) => input),
    broken: procedure
      .meta({ access: { partner: ["deposits:write"] } })
      .output(z.object({ id: z.string() }))
      .query(() => ({ id: 42 }) as unknown as { id: string }),
  }),
});

const createCaller = createCallerFactory(testRouter);
const viaCaller = {
  create: (ctx: Context, input: unknown) => createCaller(ctx).deposits.create(input as never),
  checked: (ctx: Context, input: unknown) => createCaller(ctx).deposits.checked(input as never),
  broken: (ctx: Context) => createCaller(ctx).deposits.broken(),
};
const viaInvoker = {
  create: procedureInvoker(testRouter, "deposits.create"),
  checked: procedureInvoker(testRouter, "deposits.checked"),
  broken: procedureInvoker(testRouter, "deposits.broken"),
};

async function outcome(run: () => Promise<unknown>) {
  try {
    return { ok: true, data: await run() };
  } catch (error) {
    const e = error as TRPCError;
    return {
      ok: false,
      isTrpcError: e instanceof TRPCError,
      code: e.code,
      message: e.message,
      cause: e.cause?.constructor.name,
      domainCode: e.cause instanceof DomainError ? e.cause.code : undefined,
      issues: e.cause instanceof z.ZodError ? e.cause.issues : undefined,
    };
  }
}

describe("procedureInvoker answers exactly as createCaller does", () => {
  const cases: [string, Principal | null, unknown][] = [
    ["valid input: parsed, middleware context and input, output parsed and stripped", partner, { userId: "u9", amount: "21", note: "  hi " }],
    ["schema default applies", partner, { userId: "u9", amount: 5 }],
    ["invalid input → BAD_REQUEST with the zod error", partner, { userId: "u9", amount: -1 }],
    ["no input at all", partner, undefined],
    ["domain error → its tRPC code, the DomainError as cause", partner, { userId: "u9", amount: 1, note: "duplicate" }],
    ["unexpected error → INTERNAL_SERVER_ERROR", partner, { userId: "u9", amount: 1, note: "crash" }],
    ["no credentials → UNAUTHORIZED", null, { userId: "u9", amount: 1 }],
    ["user acting on someone else → FORBIDDEN (raw input checked)", user, { userId: "u2", amount: 1 }],
    ["user acting on themselves", user, { userId: "u1", amount: 1 }],
  ];
  test.each(cases)("%s", async (_name, principal, input) => {
    const expected = await outcome(() => viaCaller.create(context(principal), input));
    const actual = await outcome(() => viaInvoker.create(context(principal), input));
    expect(actual).toEqual(expected);
  });

  const checkedCases: [string, unknown][] = [
    ["async checks pass, both inputs merged", { reference: "r1", amount: "7" }],
    ["async input check fails → BAD_REQUEST", { reference: "taken", amount: 7 }],
    ["second input fails → BAD_REQUEST", { reference: "r1", amount: "x" }],
    ["async output check fails → INTERNAL_SERVER_ERROR", { reference: "r1", amount: 13 }],
  ];
  test.each(checkedCases)("%s", async (_name, input) => {
    const expected = await outcome(() => viaCaller.checked(context(partner), input));
    expect(await outcome(() => viaInvoker.checked(context(partner), input))).toEqual(expected);
  });

  test("the output is what the output schema produced", async () => {
    const output = await viaInvoker.create(context(partner), { userId: "u9", amount: "21", note: "  hi " });
    expect(output).toEqual({ amount: "42", tag: "from-middleware", note: "hi", path: "deposits.create" });
  });

  test("an output the schema refuses → INTERNAL_SERVER_ERROR", async () => {
    const expected = await outcome(() => viaCaller.broken(context(partner)));
    expect(expected).toMatchObject({ ok: false, code: "INTERNAL_SERVER_ERROR" });
    expect(await outcome(() => viaInvoker.broken(context(partner), undefined))).toEqual(expected);
  });
});

describe("withStrictInputs: unknown keys refused by tRPC's caller and the invoker alike", () => {
  const build = () =>
    router({
      transfers: router({
        create: procedure
          .meta({ access: { partner: ["deposits:write"] } })
          .input(z.object({ reference: z.string() }))
          .input(z.object({ amount: z.coerce.number().int(), metadata: z.record(z.string(), z.unknown()).optional() }))
          .mutation(({ input }) => input),
      }),
    });
  const input = { reference: "r1", amount: 5, ammount: 5, metadata: { anything: 1 } };

  test("before: zod drops the unknown key; after: VALIDATION_FAILED naming it, whichever input declares the others", async () => {
    const loose = build();
    expect(await createCallerFactory(loose)(context(partner)).transfers.create(input as never)).toEqual({ reference: "r1", amount: 5, metadata: { anything: 1 } });

    const strict = withStrictInputs(build());
    const viaStrictCaller = await outcome(() => createCallerFactory(strict)(context(partner)).transfers.create(input as never));
    const viaStrictInvoker = await outcome(() => procedureInvoker(strict, "transfers.create")(context(partner), input));
    expect(viaStrictCaller).toMatchObject({ ok: false, code: "BAD_REQUEST", domainCode: "VALIDATION_FAILED", message: "ammount: unknown parameter" });
    expect(viaStrictInvoker).toEqual(viaStrictCaller);
    // Access is decided first: no credentials is 401 whatever the keys.
    expect(await outcome(() => procedureInvoker(strict, "transfers.create")(context(null), input))).toMatchObject({ code: "UNAUTHORIZED" });
  });

  test("procedures sharing one meta object with different inputs are refused at start", () => {
    const shared = procedure.meta({ access: { partner: ["deposits:write"] } });
    const ambiguous = router({
      a: shared.input(z.object({ a: z.string() })).query(({ input }) => input),
      b: shared.input(z.object({ b: z.string() })).query(({ input }) => input),
    });
    expect(() => withStrictInputs(ambiguous)).toThrow(/share one meta object/);
  });
});
