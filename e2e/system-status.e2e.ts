import { expect, signInAs, test } from "./fixtures";

test("the system status page shows database, migrations and worker ok", async ({ page }, testInfo) => {
  await page.goto("/status");
  await expect(page.getByRole("heading", { level: 1, name: "System status" })).toBeVisible();

  for (const part of ["database", "migrations", "worker"]) {
    await expect(page.getByTestId(`status-${part}`)).toHaveAttribute("data-state", "ok");
  }
  await expect(page.getByText("None: the database schema is up to date.")).toBeVisible();
  // Hosts, pids and worker ids are for staff only (issue #23 row 12): a visitor sees none.
  await expect(page.getByRole("table", { name: "Worker heartbeats" })).toHaveCount(0);
  await signInAs(page, "viewer");
  await page.goto("/status");
  await expect(page.getByRole("table", { name: "Worker heartbeats" })).toBeVisible();

  await page.screenshot({ path: testInfo.outputPath("status-laptop.png"), fullPage: true });
  await page.setViewportSize({ width: 820, height: 1180 });
  await page.screenshot({ path: testInfo.outputPath("status-tablet.png"), fullPage: true });
});

test("refreshing the status asks the API again", async ({ page }) => {
  await page.goto("/status");
  await expect(page.getByTestId("status-database")).toHaveAttribute("data-state", "ok");

  const refreshed = page.waitForResponse(
    (response) => response.url().includes("/trpc/system.getStatus") && response.ok(),
  );
  await page.getByRole("button", { name: "Refresh" }).click();
  await refreshed;
  await expect(page.getByTestId("status-database")).toHaveAttribute("data-state", "ok");
});

test("an unreachable API is reported with a way to retry, and retrying recovers", async ({ page }, testInfo) => {
  await page.route("**/trpc/system.getStatus**", (route) => route.abort("connectionrefused"));
  await page.goto("/status");

  const alert = page.getByRole("main").getByRole("alert");
  await expect(alert).toContainText("Could not load the system status.");
  await expect(alert).toContainText("The API did not answer.");
  await page.screenshot({ path: testInfo.outputPath("status-api-unreachable.png"), fullPage: true });

  await page.unroute("**/trpc/system.getStatus**");
  await alert.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByTestId("status-worker")).toHaveAttribute("data-state", "ok");
  await expect(alert).toHaveCount(0);
});
