import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Db } from "@agrinet/db";
import { expect, test } from "vitest";
import { createApiMetrics } from "./metrics";

// The alert rules and the dashboard name metrics as strings; a renamed metric would leave an alert
// that never fires. Every agrinet_* name they use must be one this API serves on /metrics.
const deploy = fileURLToPath(new URL("../../../deploy/", import.meta.url));

function namesIn(text: string): Set<string> {
  return new Set(text.match(/\bagrinet_[a-z0-9_]+/g) ?? []);
}

test("every agrinet_* metric in the alert rules and the Grafana dashboard is served by the API", () => {
  // Listing the metrics runs no collect(): the database is never touched.
  const { registry } = createApiMetrics({ db: {} as Db });
  const served = new Set<string>();
  for (const metric of registry.getMetricsAsArray()) {
    served.add(metric.name);
    if (String(metric.type) === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) served.add(metric.name + suffix);
  }
  const files = [
    ...readdirSync(`${deploy}prometheus`).filter((f) => f.endsWith(".rules.yml")).map((f) => `${deploy}prometheus/${f}`),
    ...readdirSync(`${deploy}grafana`).filter((f) => f.endsWith(".json")).map((f) => `${deploy}grafana/${f}`),
  ];
  expect(files.length).toBeGreaterThanOrEqual(2);
  for (const file of files) {
    const used = [...namesIn(readFileSync(file, "utf8"))];
    expect(used.length, file).toBeGreaterThan(0);
    expect(used.filter((name) => !served.has(name)), file).toEqual([]);
  }
});
