// Pages: how long each list page of the dashboard takes to go idle in Chromium, the issue's
// "list pages idle in ≤ 1 s on this machine" (#26). The whole product runs as `pnpm start` runs it
// (production builds, embedded PostgreSQL with the demo data, the Daraja sandbox), through the
// e2e suite's launcher on spare ports; Debian's Chromium loads each page signed in as the admin.
//
// A page is idle when no request is in flight and none starts for `quietMs`, its heading shows and
// no loading placeholder is left (what e2e/layout.e2e.ts waits for); the figure is the time from
// the navigation's start to the end of the last request (the quiet wait is not counted). Long-lived
// streams (the notification EventSource) never end and are not counted as in flight. Each page is
// loaded once to warm the server, then `BENCH_PAGE_LOADS` times (default 3; median reported).
// Baseline: the sign-in page, which loads no data, measured the same way in the same run.
//   BENCH_PAGE_LOADS (3; BENCH_QUICK: 1)
import { chromium, type Page, type Request } from "@playwright/test";
import startStack from "../e2e/global-setup";
import { reportFigures, type BenchFigure } from "./figures";
import { machineLoad } from "./machine-load";

const loads = Number(process.env.BENCH_PAGE_LOADS ?? (process.env.BENCH_QUICK ? 1 : 3));
const quietMs = 500;
const targetMs = 1_000;
const listPages = ["/deposits", "/payouts", "/payouts/runs", "/ledger", "/contracts", "/notifications", "/audit-log", "/mpesa/unmatched", "/reconciliation", "/partners"];

const round = (n: number) => Math.round(n);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type Idle = { ms: number; requests: number; last: string };

/** Loads `path`: the milliseconds from the navigation's start to its last request's end, how many requests, and which ended last. */
async function timeToIdle(page: Page, path: string, ready: (page: Page) => Promise<void>): Promise<Idle> {
  const inFlight = new Set<Request>();
  let lastActivity = 0;
  let requests = 0;
  let last = "";
  const streaming = (request: Request) => request.resourceType() === "eventsource" || request.url().includes("/stream");
  const started = (request: Request) => {
    if (streaming(request)) return;
    inFlight.add(request);
    requests += 1;
    lastActivity = performance.now();
  };
  const ended = (request: Request) => {
    if (!inFlight.delete(request)) return;
    lastActivity = performance.now();
    last = new URL(request.url()).pathname;
  };
  page.on("request", started);
  page.on("requestfinished", ended);
  page.on("requestfailed", ended);
  try {
    const start = performance.now();
    await page.goto(path, { waitUntil: "commit" });
    await ready(page);
    for (;;) {
      const quietFor = performance.now() - lastActivity;
      if (inFlight.size === 0 && quietFor >= quietMs) break;
      await page.waitForTimeout(inFlight.size === 0 ? quietMs - quietFor : 50);
    }
    return { ms: lastActivity - start, requests, last };
  } finally {
    page.off("request", started);
    page.off("requestfinished", ended);
    page.off("requestfailed", ended);
  }
}

/** The page shows its heading and no loading placeholder. */
async function listReady(page: Page) {
  await page.getByRole("heading", { level: 1 }).waitFor({ state: "visible", timeout: 60_000 });
  await page.waitForFunction(
    () =>
      !document.querySelector('[aria-busy="true"]') &&
      !Array.from(document.querySelectorAll('[role="status"]')).some((element) => element.textContent?.includes("Loading")),
    null,
    { timeout: 60_000 },
  );
}

async function signInReady(page: Page) {
  await page.getByLabel("Email").waitFor({ state: "visible", timeout: 60_000 });
}

async function measure(page: Page, path: string, ready: (page: Page) => Promise<void>): Promise<Idle> {
  await timeToIdle(page, path, ready); // warm: the server's first render of the page
  const runs: Idle[] = [];
  for (let i = 0; i < loads; i++) runs.push(await timeToIdle(page, path, ready));
  const ms = median(runs.map((run) => run.ms));
  return runs.find((run) => run.ms === ms)!;
}

const loadAtStart = machineLoad();
process.stdout.write("[pages] starting the product (pnpm start's launcher; builds first, cached)\n");
const stopStack = await startStack();
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync"],
});
try {
  const context = await browser.newContext({ baseURL: process.env.E2E_ADMIN_URL, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const baseline = (await measure(page, "/sign-in", signInReady)).ms;
  await page.getByLabel("Email").fill("admin@agrinet.local");
  await page.getByLabel("Password").fill("agrinet-dev-password");
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("group", { name: "Signed in" }).waitFor({ timeout: 60_000 });

  const figures: BenchFigure[] = [];
  let slowest = { path: "", ms: 0 };
  for (const path of listPages) {
    const { ms, requests, last } = await measure(page, path, listReady);
    if (ms > slowest.ms) slowest = { path, ms };
    process.stdout.write(`[pages] ${path}: idle after ${round(ms)} ms, ${requests} requests, the last to end ${last} (sign-in page ${round(baseline)} ms)\n`);
    figures.push({
      group: "pages",
      name: `${path} idle after load, median of ${loads}`,
      value: round(ms),
      unit: "ms",
      baseline: { name: "sign-in page idle after load (no data)", value: round(baseline), unit: "ms" },
      ratio: Math.round((ms / baseline) * 100) / 100,
      target: `≤ ${targetMs} ms (this machine)`,
      met: ms <= targetMs,
      note: `${requests} requests; the last to end: ${last}`,
    });
  }
  figures.push({
    group: "pages",
    name: `slowest list page (${slowest.path}) idle after load`,
    value: round(slowest.ms),
    unit: "ms",
    baseline: { name: "sign-in page idle after load (no data)", value: round(baseline), unit: "ms" },
    ratio: Math.round((slowest.ms / baseline) * 100) / 100,
    target: `≤ ${targetMs} ms (this machine)`,
    met: slowest.ms <= targetMs,
    absolute: true,
    note: `${loads} loads per page after a warm-up; load ${loadAtStart.uptime} → ${machineLoad().uptime}`,
  });
  await reportFigures(figures);
  process.stdout.write(`${figures.at(-1)!.note}\n`);
} finally {
  await browser.close();
  await stopStack();
}
