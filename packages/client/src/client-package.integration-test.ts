// Builds and packs @agrinet/client, installs the tarball in a scratch project outside the
// workspace (its own node_modules: the tarball, @trpc/client, @trpc/server and TypeScript, as a
// partner would install them) and type-checks a small partner program against it.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
let scratch: string | undefined;

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const partnerProgram = `
import { createAgrinetClient, type ErrorEnvelope } from "@agrinet/client";
import type { AgrinetRouter } from "@agrinet/client/trpc";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";

const rest = createAgrinetClient({ baseUrl: "http://127.0.0.1:4000", apiKey: "key" });

export async function restCalls() {
  const { data, error } = await rest.POST("/deposit", {
    body: { userId: "user_1", amount: 250000, currency: "KES", method: "mpesa", reference: "R-1" },
    headers: { "Idempotency-Key": "order-1" },
  });
  if (error) {
    const code: ErrorEnvelope["error"]["code"] = error.error.code;
    return code;
  }
  const id: string = data.id;
  const amount: string = data.amount;
  const batch = await rest.GET("/api/v1/payout-batches/{batchId}", { params: { path: { batchId: "pb_1" } } });
  // @ts-expect-error a misspelt field is a compile error
  await rest.POST("/deposit", { body: { userId: "u", ammount: 1, currency: "KES", method: "mpesa", reference: "R" } });
  // @ts-expect-error an unknown path is a compile error
  await rest.GET("/api/v1/nope");
  return [id, amount, batch.data?.batchId];
}

const trpc = createTRPCClient<AgrinetRouter>({ links: [httpLink({ url: "http://127.0.0.1:4000/trpc" })] });

export async function trpcCalls() {
  try {
    const deposit = await trpc.deposits.create.mutate({
      userId: "user_1",
      amount: "250000",
      currency: "KES",
      method: "mpesa",
      reference: "R-2",
    });
    const status: "pending" | "confirmed" | "failed" = deposit.status;
    const page = await trpc.payouts.listPayouts.query({});
    // @ts-expect-error a misspelt input field is a compile error over tRPC too
    await trpc.payouts.getPayout.query({ payoutID: "po_1" });
    // @ts-expect-error no such procedure
    await trpc.deposits.nope.mutate({});
    return [status, page.items.length];
  } catch (cause) {
    if (cause instanceof TRPCClientError) return cause.data?.code;
    throw cause;
  }
}
`;

test("a partner installs the packed client outside the workspace and type-checks against it", async () => {
  const committedSchema = await readFile(join(packageDir, "src/generated/rest-schema.ts"), "utf8");
  await run("node", ["--import", "tsx", "scripts/build-client.ts"], { cwd: packageDir });
  // The checked-in REST types are what openapi.json gives (run the build and commit them).
  expect(await readFile(join(packageDir, "src/generated/rest-schema.ts"), "utf8")).toBe(committedSchema);
  scratch = await mkdtemp(join(tmpdir(), "agrinet-client-"));
  await run("npx", ["-y", "pnpm@10.34.9", "pack", "--pack-destination", scratch], { cwd: packageDir });
  const tarball = (await readdir(scratch)).find((name) => name.endsWith(".tgz"));
  expect(tarball).toBeDefined();

  await writeFile(join(scratch, "package.json"), JSON.stringify({ name: "partner-app", private: true, type: "module" }));
  await writeFile(
    join(scratch, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, lib: ["ES2022", "DOM", "ESNext.Disposable"] },
      include: ["partner.ts"],
    }),
  );
  await writeFile(join(scratch, "partner.ts"), partnerProgram);
  await run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", `./${tarball}`, "@trpc/client@^11", "@trpc/server@^11", "typescript@5.9"],
    { cwd: scratch },
  );
  const installed = await readdir(join(scratch, "node_modules"));
  expect(installed.filter((name) => name.startsWith("@agrinet"))).toEqual(["@agrinet"]);
  expect(await readdir(join(scratch, "node_modules", "@agrinet"))).toEqual(["client"]);

  const result = await run("npx", ["tsc", "-p", "."], { cwd: scratch }).catch((error: { stdout: string }) => error);
  expect("stdout" in result ? result.stdout : "").toBe("");
}, 600_000);
