import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { openLoop } from "./open-loop-http";

let server: http.Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server answering each request after `delayMs` with the status `statusOf` gives its body. */
async function serve(delayMs: number, statusOf: (body: string) => number): Promise<string> {
  server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => setTimeout(() => response.writeHead(statusOf(body)).end("{}"), delayMs));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test("a request that cannot be sent when due is charged for its wait (no coordinated omission)", async () => {
  // One socket and 30 ms per answer, asked for 1,000 a second: the tenth request is due at 9 ms
  // but goes out after nine answers (~270 ms). A closed loop would report ~30 ms for each.
  const url = await serve(30, () => 200);
  const result = await openLoop({ url, method: "POST", path: "/payouts", headers: {}, rate: 1000, count: 10, maxSockets: 1, body: (i) => `{"i":${i}}` });
  expect(result).toMatchObject({ ok: 10, failed: 0, statuses: "" });
  expect(result.maxMs).toBeGreaterThanOrEqual(250);
  expect(result.p50Ms).toBeGreaterThanOrEqual(120);
});

test("answers other than 2xx are refusals, counted by status and left out of the latencies", async () => {
  const url = await serve(0, (body) => ((JSON.parse(body) as { i: number }).i % 2 === 0 ? 200 : 503));
  const result = await openLoop({ url, method: "POST", path: "/payouts", headers: { "content-type": "application/json" }, rate: 200, count: 10, body: (i) => `{"i":${i}}` });
  expect(result).toMatchObject({ ok: 5, failed: 5, statuses: "5 × 503" });
});

test("a server that is not there makes every request a refusal, not a hang", async () => {
  const url = await serve(0, () => 200);
  await new Promise((resolve) => server!.close(resolve));
  server = undefined;
  const result = await openLoop({ url, method: "POST", path: "/payouts", headers: {}, rate: 100, count: 3, body: () => "{}" });
  expect(result).toMatchObject({ ok: 0, failed: 3, statuses: "3 × error" });
});

test("nothing to send is an empty result at once, not a wait for answers that never come", async () => {
  const url = await serve(0, () => 200);
  const result = await openLoop({ url, method: "POST", path: "/payouts", headers: {}, rate: 100, count: 0, body: () => "{}" });
  expect(result).toMatchObject({ ok: 0, failed: 0, statuses: "", p50Ms: 0, p99Ms: 0 });
});
