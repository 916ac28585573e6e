import { expect, signInAs, test } from "./fixtures";

const partnerKey = "agp_dev_partner_key_0000000000000000000000000000";

test("the overview compares this period with the one before: money in and out, net, payout success rate", async ({ page, apiUrl }) => {
  // A confirmed deposit today, so this period's money in is more than nothing.
  const response = await fetch(`${apiUrl}/deposit`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": partnerKey },
    body: JSON.stringify({ userId: "user_buyer1", amount: 4_200, currency: "KES", method: "bank", reference: `e2e-overview-${Date.now()}` }),
  });
  const deposit = (await response.json()) as { id: string };
  expect(response.ok, JSON.stringify(deposit)).toBe(true);
  await signInAs(page, "operator");
  const confirmed = await page.request.post("/trpc/deposits.confirm", { data: { depositId: deposit.id, evidenceUrl: "https://bank.example/slip.pdf" } });
  expect(confirmed.ok(), await confirmed.text()).toBe(true);

  await page.goto("/");
  const comparison = page.getByTestId("period-comparison");
  await expect(comparison.getByRole("columnheader", { name: "Payout success" })).toBeVisible();
  const kes = comparison.locator('tr[data-currency="KES"]');
  await expect(kes.getByTestId("money-in-KES")).toContainText("KES");
  await expect(kes.getByTestId("money-in-KES")).toContainText(/(new|[+−±]\d+\.\d%) · \d+ deposits/);
  await expect(kes.getByTestId("success-rate-KES")).toContainText(/^(\d{1,3}\.\d%|—)before (\d{1,3}\.\d%|—) · \d+ failed$/);
  await expect(page.locator("#period-comparison")).toContainText(/\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(UTC\) against \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);
});

test("notifications group by payout or deposit: the latest update in full, the earlier ones in order, one mark-read for the group", async ({ page, apiUrl }) => {
  const response = await fetch(`${apiUrl}/deposit`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": partnerKey },
    body: JSON.stringify({ userId: "user_buyer1", amount: 3_100, currency: "KES", method: "bank", reference: `e2e-groups-${Date.now()}` }),
  });
  const deposit = (await response.json()) as { id: string };
  expect(response.ok, JSON.stringify(deposit)).toBe(true);
  await signInAs(page, "operator");
  const confirmed = await page.request.post("/trpc/deposits.confirm", { data: { depositId: deposit.id, evidenceUrl: "https://bank.example/slip.pdf" } });
  expect(confirmed.ok(), await confirmed.text()).toBe(true);

  await page.goto("/notifications");
  const feed = page.getByRole("list", { name: "Notifications" });
  // Ungrouped: one row per notification about the deposit.
  await expect(feed.locator(`li[data-aggregate-id="${deposit.id}"]`)).toHaveCount(2);
  await page.getByLabel("Group by payout or deposit").check();
  const group = page.locator(`[data-testid="notification-group"][data-aggregate-id="${deposit.id}"]`);
  await expect(group).toHaveCount(1);
  await expect(group).toHaveAttribute("data-count", "2");
  await expect(group.getByTestId("group-history")).toHaveText("2 updates: Deposit received → Deposit confirmed");
  await group.getByRole("button", { name: /^Mark read/ }).click();
  await expect(group.getByRole("button", { name: /^Mark read/ })).toHaveCount(0);
  // Both of the group's notifications were marked, not only the latest.
  await page.getByLabel("Group by payout or deposit").uncheck();
  await page.getByLabel("Unread only").check();
  await expect(feed.locator(`li[data-aggregate-id="${deposit.id}"]`)).toHaveCount(0);
});
