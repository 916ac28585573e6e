import { readFile } from "node:fs/promises";
import { expect, signInAs, test } from "./fixtures";

// Ledger and contracts pages against the demo data (`pnpm start` seeds deposits, contract_45ab
// released to user_prod7 and contract_demo_dispute frozen by a -1). Each test walks several
// pages, which on a shared 2-core machine takes longer than the default minute.
test.describe.configure({ timeout: 180_000 });

test("the ledger lists balanced transactions; an account shows its history and a point-in-time balance", async ({
  page,
}, testInfo) => {
  await signInAs(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Ledger", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ledger" })).toBeVisible();
  const transactions = page.getByTestId("ledger-transaction");
  await expect(transactions.first()).toBeVisible();

  const count = await transactions.count();
  expect(count).toBeGreaterThan(0);
  for (let index = 0; index < count; index++) {
    const amounts = transactions.nth(index).getByTestId("ledger-posting");
    const sums = new Map<string, bigint>();
    for (let p = 0; p < (await amounts.count()); p++) {
      // The first amount of a posting is its movement; the second is the balance it left.
      const money = amounts.nth(p).locator("[data-minor-units]").first();
      const currency = (await money.getAttribute("data-currency"))!;
      sums.set(currency, (sums.get(currency) ?? 0n) + BigInt((await money.getAttribute("data-minor-units"))!));
    }
    expect(sums.size).toBeGreaterThan(0);
    for (const [currency, sum] of sums) expect(sum, `transaction ${index} in ${currency}`).toBe(0n);
  }
  await page.screenshot({ path: testInfo.outputPath("ledger.png"), fullPage: true });

  // Filters travel in the URL: the kind filter narrows the list to that kind.
  await page.getByLabel("Kind").selectOption("deposit");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/kind=deposit/);
  await expect(transactions.first()).toContainText("deposit");
  await expect(transactions.filter({ hasNotText: "deposit" })).toHaveCount(0);

  const wallet = "user:user_buyer1:wallet:KES";
  await page.goto(`/ledger/accounts/${encodeURIComponent(wallet)}`);
  await expect(page.getByRole("heading", { level: 1, name: `Account ${wallet}` })).toBeVisible();
  await expect(page.getByTestId("account-balance")).toContainText("KES");
  const history = page.getByTestId("history-entry");
  await expect(history.first()).toBeVisible();
  const latestBalance = await history.first().locator("[data-minor-units]").last().getAttribute("data-minor-units");

  // Now: the balance the latest posting left. Before the ledger existed: zero.
  await page.getByRole("button", { name: "Show balance" }).click();
  const result = page.getByTestId("balance-at-result");
  await expect(result.locator("[data-minor-units]")).toHaveAttribute("data-minor-units", latestBalance!);
  await page.getByLabel("Date and time (your local time)").fill("2020-01-01T00:00:00");
  await page.getByRole("button", { name: "Show balance" }).click();
  await expect(result.locator("[data-minor-units]")).toHaveAttribute("data-minor-units", "0");
  await expect(result).toContainText("KES 0.00");
  await page.screenshot({ path: testInfo.outputPath("ledger-account.png"), fullPage: true });

  await page.goto("/ledger/accounts");
  await expect(page.getByRole("heading", { level: 1, name: "Ledger accounts" })).toBeVisible();
  await page.getByLabel("Search (user id, contract id or account code)").fill("user_buyer1");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("link", { name: wallet })).toBeVisible();
  await page.setViewportSize({ width: 768, height: 1000 });
  await page.screenshot({ path: testInfo.outputPath("ledger-accounts-768.png"), fullPage: true });
});

test("the filtered transactions download as CSV", async ({ page }, testInfo) => {
  await signInAs(page, "operator");
  await page.goto("/ledger");
  await expect(page.getByTestId("ledger-transaction").first()).toBeVisible();
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^ledger-transactions-.*\.csv$/);
  const csv = await readFile((await download.path())!, "utf8");
  const [header, ...rows] = csv.trimEnd().split("\r\n");
  expect(header).toBe(
    "transaction_id,created_at,kind,contract_id,idempotency_key,posting_id,account,currency,amount,amount_minor_units,balance_after_minor_units",
  );
  expect(rows.length).toBeGreaterThan(1);
  await testInfo.attach("ledger.csv", { body: csv, contentType: "text/csv" });
});

test("a viewer sees contracts and reputations but is offered no Resolve", async ({ page }, testInfo) => {
  await signInAs(page, "viewer");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contracts", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Contracts" })).toBeVisible();
  await expect(page.getByTestId("contract-row").filter({ hasText: "contract_demo_dispute" })).toContainText("disputed");
  await page.getByRole("link", { name: "contract_demo_dispute" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Contract contract_demo_dispute" })).toBeVisible();
  await expect(page.getByTestId("reputation-user_prod8")).toBeVisible();
  await expect(page.getByRole("button", { name: /Resolve/ })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("contract-viewer.png"), fullPage: true });
});

test("an operator refunds the demo dispute through the confirm dialog and sees the ledger movement", async ({
  page,
}, testInfo) => {
  await signInAs(page, "operator");
  await page.goto("/contracts/contract_45ab");
  await expect(page.getByRole("heading", { level: 1, name: "Contract contract_45ab" })).toBeVisible();
  await expect(page.locator("#contract-facts")).toContainText("released");
  // LBTAS: a distribution per level, never an average.
  const reputation = page.getByTestId("reputation-user_prod7");
  await expect(reputation).toContainText("No Negative Consequences");
  await expect(reputation).not.toContainText(/average/i);
  await page.screenshot({ path: testInfo.outputPath("contract-released.png"), fullPage: true });

  await page.goto("/contracts");
  const dispute = page.locator('[data-testid="dispute"][data-contract-id="contract_demo_dispute"]');
  await expect(dispute).toContainText("KES 750.00");
  await page.screenshot({ path: testInfo.outputPath("contracts.png"), fullPage: true });
  await dispute.getByRole("button", { name: /^Resolve: refund .* to the consumer$/ }).click();

  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("KES 750.00");
  await expect(dialog).toContainText("user_buyer2 (consumer)");
  await expect(dialog).toContainText("user:user_buyer2:wallet:KES");
  await page.screenshot({ path: testInfo.outputPath("resolve-dialog.png") });
  await dialog.getByRole("button", { name: "Refund KES 750.00 to user_buyer2" }).click();

  const resolved = page.getByTestId("dispute-resolved");
  await expect(resolved).toContainText("Refunded KES 750.00 to user_buyer2");
  await resolved.getByRole("link", { name: "See the ledger movement" }).click();
  await expect(page).toHaveURL(/account=user%3Auser_buyer2%3Awallet%3AKES/);
  const latest = page.getByTestId("ledger-transaction").first();
  await expect(latest).toContainText("refund");
  await expect(latest).toContainText("contract_demo_dispute");
  const credit = latest.getByTestId("ledger-posting").filter({ hasText: "user:user_buyer2:wallet:KES" });
  await expect(credit.locator("[data-minor-units]").first()).toHaveAttribute("data-minor-units", "75000");
  await page.screenshot({ path: testInfo.outputPath("ledger-refund.png"), fullPage: true });
});
