// A stand-in for product procedures, used only by the REST bridge's tests: it exercises POST
// bodies, path parameters, query strings, bigint amounts and every kind of failure without
// depending on features built elsewhere.
import { randomUUID } from "node:crypto";
import { currencyInput, DomainError, minorUnitsOutput, positiveMinorUnitsInput } from "@agrinet/core";
import { appRouter, procedure, router } from "@agrinet/router";
import { z } from "zod";

type Transfer = { id: string; userId: string; amount: bigint; currency: string; reference: string; confirmedBy?: string };

/** What the example procedures "did": tests count effects here. */
export function createExampleState() {
  return { transfers: new Map<string, Transfer>(), effects: 0, runs: 0, failedOnce: new Set<string>() };
}
export type ExampleState = ReturnType<typeof createExampleState>;

const transferOutput = z.object({
  id: z.string(),
  userId: z.string(),
  amount: minorUnitsOutput,
  currency: z.string(),
  reference: z.string(),
  confirmedBy: z.string().optional(),
});

function present(transfer: Transfer) {
  return { ...transfer };
}

export function createExampleRouter(state: ExampleState, options: { effectDelayMs?: number } = {}) {
  const example = router({
    createTransfer: procedure
      .meta({
        access: { public: true },
        description: "Example: records a transfer.",
        openapi: {
          method: "POST",
          path: "/api/v1/examples/transfers",
          summary: "Create an example transfer",
          tags: ["examples"],
          example: {
            request: { userId: "user_buyer1", amount: 250000, currency: "KES", reference: "MPESA-12345" },
            response: { id: "tr_1", userId: "user_buyer1", amount: "250000", currency: "KES", reference: "MPESA-12345" },
          },
          errors: ["DUPLICATE_REFERENCE", "PAYMENT_DECLINED"],
        },
      })
      .input(
        z.object({
          userId: z.string().min(1).max(100),
          amount: positiveMinorUnitsInput,
          currency: currencyInput,
          reference: z.string().min(1).max(100),
          metadata: z.record(z.string(), z.string().max(200)).optional(),
        }),
      )
      .output(transferOutput)
      .mutation(async ({ input }) => {
        if (input.reference === "CRASH") throw new Error("connect ECONNREFUSED 10.0.0.7:5432 password=hunter2");
        // The database went away during the first attempt (503); a retry finds it back.
        if (input.reference.startsWith("UNAVAILABLE-ONCE") && !state.failedOnce.has(input.reference)) {
          state.failedOnce.add(input.reference);
          throw Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: "P1001" });
        }
        if (input.reference.startsWith("DECLINE")) throw new DomainError("PAYMENT_DECLINED", "card declined");
        if ([...state.transfers.values()].some((t) => t.reference === input.reference)) {
          throw new DomainError("DUPLICATE_REFERENCE", "reference already used", {
            fields: [{ path: "reference", message: "already used" }],
          });
        }
        state.effects += 1;
        if (options.effectDelayMs) await new Promise((resolve) => setTimeout(resolve, options.effectDelayMs));
        const transfer: Transfer = { id: `tr_${randomUUID()}`, ...input };
        state.transfers.set(transfer.id, transfer);
        return present(transfer);
      }),

    confirmTransfer: procedure
      .meta({
        access: { public: true },
        openapi: {
          method: "POST",
          path: "/api/v1/examples/transfers/{transferId}/confirm",
          summary: "Confirm an example transfer",
          tags: ["examples"],
        },
      })
      .input(z.object({ transferId: z.string().min(1), confirmedBy: z.string().min(1).max(100) }))
      .output(transferOutput)
      .mutation(({ input }) => {
        const transfer = state.transfers.get(input.transferId);
        if (!transfer) throw new DomainError("NOT_FOUND", `no transfer ${input.transferId}`);
        transfer.confirmedBy = input.confirmedBy;
        return present(transfer);
      }),

    listTransfers: procedure
      .meta({
        access: { public: true },
        openapi: { method: "GET", path: "/api/v1/examples/transfers", summary: "List example transfers", tags: ["examples"] },
      })
      .input(z.object({ userId: z.string().min(1), limit: z.coerce.number().int().min(1).max(100).optional() }))
      .output(z.object({ items: z.array(transferOutput) }))
      .query(({ input }) => ({
        items: [...state.transfers.values()]
          .filter((t) => t.userId === input.userId)
          .slice(0, input.limit ?? 100)
          .map(present),
      })),

    runBatch: procedure
      .meta({
        access: { public: true },
        openapi: { method: "POST", path: "/api/v1/examples/run", summary: "Run an example batch", tags: ["examples"] },
      })
      .input(z.void())
      .output(z.object({ runs: z.number() }))
      .mutation(() => ({ runs: ++state.runs })),
  });

  return router({ ...appRouter._def.record, example });
}
