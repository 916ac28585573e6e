import { expect, signInAs, test } from "./fixtures";

/** A period that certainly contains today, for the settlement routes. */
function period() {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  return `from=${day(-30)}&to=${day(1)}`;
}

test("an admin creates a two-scope key shown once, it works, revoking it stops it, and the audit log shows both", async ({
  page,
  request,
  apiUrl,
}, testInfo) => {
  // Four pages, two dialogs and two API calls: more than the default minute on a busy machine.
  test.slow();
  await signInAs(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API keys" })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("api-keys.png"), fullPage: true });

  const name = `E2E partner ${Date.now()}`;
  await page.getByRole("button", { name: "Create key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create an API key" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("checkbox", { name: /settlements:read/ }).check();
  await dialog.getByRole("checkbox", { name: /payouts:read/ }).check();
  await dialog.getByRole("button", { name: "Create key" }).click();

  const shown = page.getByRole("dialog", { name: "Copy the new key now" });
  await expect(shown.getByRole("alert")).toContainText("only time the key is shown");
  await expect(shown.getByRole("button", { name: "Copy" })).toBeVisible();
  const key = await shown.getByLabel("API key").inputValue();
  expect(key).toMatch(/^agp_/);
  await page.screenshot({ path: testInfo.outputPath("api-key-created.png") });

  const call = () => request.get(`${apiUrl}/federation/trends/settlements?${period()}`, { headers: { "x-api-key": key } });
  expect((await call()).status()).toBe(200);

  await shown.getByRole("button", { name: "I have stored the key" }).click();
  await expect(shown).toBeHidden();
  const row = page.getByTestId("api-key-row").filter({ hasText: name });
  await expect(row).toContainText("settlements:read");
  await expect(row).toContainText("payouts:read");
  await expect(row).toContainText("active");
  // Never shown again: only the key's first characters remain on the page.
  expect(await page.content()).not.toContain(key);

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke this API key?" });
  await expect(confirm).toContainText(name);
  await confirm.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(confirm).toBeHidden();
  await expect(row).toContainText("revoked");

  const refused = await call();
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe("UNAUTHORIZED");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  const created = page.getByTestId("audit-row").filter({ hasText: "auth.key.created" }).first();
  const revoked = page.getByTestId("audit-row").filter({ hasText: "auth.key.revoked" }).first();
  await expect(created).toContainText("Demo admin");
  await expect(revoked).toContainText("Demo admin");
  await page.screenshot({ path: testInfo.outputPath("audit-log.png"), fullPage: true });

  // Filters run on the server: only revocations by the admin remain.
  await page.getByLabel("Actor").fill("admin@agrinet.local");
  await page.getByLabel("Action", { exact: true }).fill("auth.key.revoked");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByTestId("audit-row").filter({ hasText: "auth.key.created" })).toHaveCount(0);
  await expect(page.getByTestId("audit-row").first()).toContainText("auth.key.revoked");
  await page.getByLabel("Action", { exact: true }).fill("no.such.action");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("No entries match these filters")).toBeVisible();
});

for (const role of ["operator", "viewer"] as const) {
  test(`a ${role} is offered no Create key button and no audit log`, async ({ page }, testInfo) => {
    await signInAs(page, role);
    await page.goto("/api-keys");
    await expect(page.getByRole("heading", { level: 1, name: "API keys" })).toBeVisible();
    await expect(page.getByTestId("permission-notice")).toContainText("Only admins");
    await expect(page.getByRole("button", { name: "Create key" })).toHaveCount(0);
    await page.goto("/audit-log");
    await expect(page.getByTestId("permission-notice")).toContainText("Only admins");
    await page.screenshot({ path: testInfo.outputPath(`api-keys-${role}.png`), fullPage: true });
  });
}

test("the settlements page shows the summary and downloads it as CSV", async ({ page }, testInfo) => {
  await signInAs(page, "viewer");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settlements", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Settlements" })).toBeVisible();
  const summary = page.locator("#settlement-summary");
  await expect(summary.getByTestId("settlement-row").or(summary.getByText("No settlements in this period"))).not.toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("settlements.png"), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^settlements-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const path = testInfo.outputPath("settlements.csv");
  await download.saveAs(path);
  const { readFile } = await import("node:fs/promises");
  const [header] = (await readFile(path, "utf8")).split("\n");
  expect(header).toMatch(/^currency,.*deposits_confirmed_minor/);
});

test("an admin adds a staff user, changes their role and disables them", async ({ page }, testInfo) => {
  await signInAs(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Staff", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Staff" })).toBeVisible();

  const email = `clerk-${Date.now()}@agrinet.test`;
  await page.getByRole("button", { name: "Add user" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a dashboard user" });
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Role").selectOption("viewer");
  await dialog.getByLabel("Initial password").fill("a clerk password");
  await dialog.getByRole("button", { name: "Add user" }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByTestId("staff-row").filter({ hasText: email });
  await row.getByLabel(`Role of ${email}`).selectOption("operator");
  await page.getByRole("dialog", { name: "Change this user's role?" }).getByRole("button", { name: "Make operator" }).click();
  await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("operator");

  await row.getByRole("button", { name: `Disable ${email}` }).click();
  await page.getByRole("dialog", { name: "Disable this user?" }).getByRole("button", { name: `Disable ${email}` }).click();
  await expect(row).toContainText("disabled");
  // The admin's own row offers neither: nobody can lock themselves out.
  await expect(page.getByTestId("staff-row").filter({ hasText: "admin@agrinet.local" }).getByRole("button")).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("staff.png"), fullPage: true });
});

test("the admin pages fit a tablet (768 px)", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 768, height: 1024 });
  await signInAs(page, "admin");
  for (const [path, heading] of [
    ["/api-keys", "API keys"],
    ["/audit-log", "Audit log"],
    ["/settlements", "Settlements"],
    ["/staff", "Staff"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    // Settlements may have no rows yet; the other pages list at least the seeded data.
    if (path !== "/settlements") await expect(page.getByRole("table").first()).toBeVisible();
    // The page itself never scrolls sideways; wide tables scroll inside their own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await page.screenshot({ path: testInfo.outputPath(`tablet-${path.slice(1)}.png`), fullPage: true });
  }
});
