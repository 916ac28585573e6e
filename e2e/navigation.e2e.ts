import { expect, test } from "./fixtures";

const pagesWaitingForTheApi = [
  "Deposits",
  "Payouts",
  "Ledger",
  "Contracts",
  "Notifications",
  "API keys",
  "Audit log",
];

test("every section is reachable from the navigation and says plainly what is not built yet", async ({
  page,
}, testInfo) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("status-database")).toHaveAttribute("data-state", "ok");
  await page.screenshot({ path: testInfo.outputPath("overview.png"), fullPage: true });

  const nav = page.getByRole("navigation", { name: "Main" });
  for (const label of pagesWaitingForTheApi) {
    await nav.getByRole("link", { name: label, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: label })).toBeVisible();
    await expect(nav.getByRole("link", { name: label, exact: true })).toHaveAttribute("aria-current", "page");
    await expect(page.getByTestId("not-available")).toContainText("is not available yet");
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
  // Until access control lands the API has no /api/auth routes; after, the credentials are wrong.
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(
    /Sign-in is not available on this API yet\.|Wrong email or password\./,
  );
  await page.screenshot({ path: testInfo.outputPath("sign-in.png"), fullPage: true });
});
