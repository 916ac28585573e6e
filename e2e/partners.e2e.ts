import { expect, signInAs, test } from "./fixtures";

// Whole flows through a production build on a shared 2-core machine: generous, not tight.
test.describe.configure({ timeout: 180_000 });

// The seeded key of the default partner (README), for a deposit that is not the new partner's.
const defaultPartnerKey = "agp_dev_partner_key_0000000000000000000000000000";
const run = Date.now().toString(36);

async function bankDeposit(apiUrl: string, key: string, userId: string, reference: string) {
  const response = await fetch(`${apiUrl}/deposit`, {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json" },
    body: JSON.stringify({ userId, amount: 12_345, currency: "KES", method: "bank", reference }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

test("an admin creates a partner, issues it a key shown once, and the deposits list filtered to the partner shows only its deposits", async ({
  page,
  apiUrl,
}, testInfo) => {
  const partnerName = `E2E Cooperative ${run}`;
  await signInAs(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Partners", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Partners" })).toBeVisible();
  // The seed's two partners are listed.
  await expect(page.getByTestId("partner-row").filter({ hasText: "partner_default" })).toHaveCount(1);

  await page.getByRole("button", { name: "Create partner" }).click();
  const createDialog = page.getByRole("dialog", { name: "Create a partner" });
  await createDialog.getByRole("button", { name: "Create partner" }).click();
  // An empty name is the API's 400, shown on the field.
  await expect(createDialog.getByText(/name/i).first()).toBeVisible();
  await createDialog.getByLabel("Name").fill(partnerName);
  await createDialog.getByRole("button", { name: "Create partner" }).click();
  await expect(createDialog).toBeHidden();

  const row = page.getByTestId("partner-row").filter({ hasText: partnerName });
  await expect(row).toHaveCount(1);
  const partnerId = (await row.getAttribute("data-partner-id"))!;
  expect(partnerId).toMatch(/^partner_/);
  await expect(row.getByRole("cell").nth(2)).toHaveText("0");

  // The new partner's keys open below the list; it has none yet.
  const keys = page.locator("#partner-keys");
  await expect(keys.getByRole("heading", { name: `Keys of ${partnerName}` })).toBeVisible();
  await expect(keys.getByText("No API keys yet")).toBeVisible();
  await keys.getByRole("button", { name: "Issue key" }).click();
  const keyDialog = page.getByRole("dialog", { name: `Issue a key for ${partnerName}` });
  await keyDialog.getByLabel("Name").fill("cooperative app");
  await keyDialog.getByRole("checkbox", { name: /deposits:write/ }).check();
  await keyDialog.getByRole("checkbox", { name: /deposits:read/ }).check();
  await keyDialog.getByRole("button", { name: "Issue key" }).click();

  const shown = page.getByRole("dialog", { name: "Copy the new key now" });
  await expect(shown.getByRole("alert")).toContainText("only time the key is shown");
  const secret = await shown.getByTestId("new-api-key").inputValue();
  expect(secret).toMatch(/^agp_/);
  await page.screenshot({ path: testInfo.outputPath("partner-key-shown.png"), fullPage: true });
  await shown.getByRole("button", { name: "I have stored the key" }).click();
  await expect(shown).toBeHidden();

  // Shown once: afterwards only its first characters are on the page.
  const keyRow = keys.getByTestId("api-key-row");
  await expect(keyRow).toHaveCount(1);
  await expect(keyRow).toContainText("cooperative app");
  await expect(keyRow).toContainText("active");
  expect(await page.content()).not.toContain(secret);
  await expect(row.getByRole("cell").nth(2)).toHaveText("1");
  await page.screenshot({ path: testInfo.outputPath("partners.png"), fullPage: true });

  // The same reference under two partners: two deposits, one each (references are per partner).
  const reference = `e2e-partner-${run}`;
  const partnersUser = `user_e2e_coop_${run}`;
  await bankDeposit(apiUrl, secret, partnersUser, reference);
  await bankDeposit(apiUrl, defaultPartnerKey, "user_buyer1", reference);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deposits", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Deposits" })).toBeVisible();
  await page.locator("#deposit-search").fill(reference);
  await page.getByRole("button", { name: "Apply filters" }).click();
  const rows = page.getByTestId("deposit-row");
  await expect(rows).toHaveCount(2);

  await page.locator("#deposit-partner").selectOption({ label: partnerName });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`partner=${partnerId}`));
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(partnersUser);
  await expect(rows.first()).toContainText(partnerName);
  // The filter survives a reload: it lives in the address.
  await page.reload();
  await expect(page.locator("#deposit-partner")).toHaveValue(partnerId);
  await expect(rows).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath("deposits-by-partner.png"), fullPage: true });

  // Without a search, the partner's list holds its one deposit and nothing of the default partner's.
  await page.goto(`/deposits?partner=${partnerId}`);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-reference", reference);

  // A daily payout cap of the partner's own, set on the partners page, shown with today's use.
  await page.goto("/partners");
  await page.getByRole("button", { name: `Daily payout cap of ${partnerName}` }).click();
  const capDialog = page.getByRole("dialog", { name: `Daily payout cap of ${partnerName}` });
  await capDialog.getByLabel("Currency").selectOption("KES");
  await capDialog.getByLabel("Daily cap (KES)").fill("12.5.0");
  await capDialog.getByRole("button", { name: "Set cap" }).click();
  await expect(capDialog.getByText(/expected an amount in KES/)).toBeVisible();
  await capDialog.getByLabel("Daily cap (KES)").fill("2,500.50");
  await capDialog.getByRole("button", { name: "Set cap" }).click();
  await expect(capDialog).toBeHidden();
  const limit = row.getByTestId("payout-limit").filter({ hasText: "KES" });
  await expect(limit).toContainText("2,500.50");
  await expect(limit).toContainText("(own)");
  await expect(limit.locator("[data-minor-units]").first()).toHaveAttribute("data-minor-units", "250050");

  // Revoking from the partners page refuses the key at once.
  await page.getByRole("button", { name: `Keys of ${partnerName}` }).click();
  await keys.getByRole("button", { name: "Revoke cooperative app" }).click();
  await page.getByRole("dialog", { name: "Revoke this API key?" }).getByRole("button", { name: "Revoke cooperative app" }).click();
  await expect(keys.getByTestId("api-key-row")).toContainText("revoked");
  const refused = await fetch(`${apiUrl}/api/v1/deposits?limit=1`, { headers: { "x-api-key": secret } });
  expect(refused.status).toBe(401);
});

test("a viewer sees the partners but may neither create one nor issue or list keys", async ({ page }, testInfo) => {
  await signInAs(page, "viewer");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Partners", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Partners" })).toBeVisible();
  await expect(page.getByTestId("partner-row").filter({ hasText: "partner_default" })).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Create partner" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Keys of / })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Daily payout cap of / })).toHaveCount(0);
  // The server refuses it too, whatever the page offers.
  const refused = await page.request.post("/trpc/partners.create", { data: { name: `viewer-made ${run}` } });
  expect(refused.status()).toBe(403);
  await page.reload();
  await expect(page.getByTestId("partner-row").filter({ hasText: `viewer-made ${run}` })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("partners-viewer.png"), fullPage: true });
});
