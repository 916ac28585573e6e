import { expect, signInAs, test } from "./fixtures";

const sections = [
  "Deposits",
  "Payouts",
  "Ledger",
  "Contracts",
  "Notifications",
  "Settlements",
  "API keys",
  "Audit log",
  "Staff",
  "System status",
];

test("every section is reachable from the navigation, marked current, and built", async ({ page }, testInfo) => {
  // Pages need a staff session; an admin may open every one of them.
  await signInAs(page, "admin");
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("status-database")).toHaveAttribute("data-state", "ok");
  await page.screenshot({ path: testInfo.outputPath("overview.png"), fullPage: true });

  const nav = page.getByRole("navigation", { name: "Main" });
  for (const label of sections) {
    await nav.getByRole("link", { name: label, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: label })).toBeVisible();
    await expect(nav.getByRole("link", { name: label, exact: true })).toHaveAttribute("aria-current", "page");
    await page.screenshot({
      path: testInfo.outputPath(`${label.toLowerCase().replace(/\s+/g, "-")}.png`),
      fullPage: true,
    });
  }
});

test("keyboard users can skip the navigation", async ({ page }) => {
  await page.goto("/");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
});

test("the sign-in form reports a rejected sign-in instead of failing silently", async ({ page }, testInfo) => {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("nobody@example.org");
  await page.getByLabel("Password").fill("not-a-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong email or password.");
  await page.screenshot({ path: testInfo.outputPath("sign-in.png"), fullPage: true });
});

test("the seeded admin signs in and the dashboard shows who they are", async ({ page }, testInfo) => {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("admin@agrinet.local");
  await page.getByLabel("Password").fill("agrinet-dev-password");
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  const session = page.getByRole("group", { name: "Signed in" });
  await expect(session.getByTestId("session-email")).toHaveText("admin@agrinet.local");
  await expect(session).toContainText("admin");
  // The cookie is a real API session: the API knows the caller too.
  const me = await page.request.get("/trpc/auth.me");
  expect(me.status()).toBe(200);
  await page.screenshot({ path: testInfo.outputPath("signed-in.png"), fullPage: true });
});
