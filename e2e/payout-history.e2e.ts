import { expect, signInAs, test } from "./fixtures";

const partnerKey = "agp_dev_partner_key_0000000000000000000000000000";
// The Daraja sandbox refuses this number with ResultCode 2040 (not registered for M-Pesa).
const sandboxRefusesNumber = "+254700000002";

test("a payout's attempts are kept one by one, its run is listed with its totals and linked, and the list filters by date", async ({ page, apiUrl }) => {
  test.setTimeout(180_000);
  const response = await fetch(`${apiUrl}/payouts`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": partnerKey },
    body: JSON.stringify({
      userId: "user_prod7",
      amount: 1_000,
      currency: "KES",
      destination: { type: "mpesa", account: sandboxRefusesNumber },
      reference: `e2e-history-${Date.now()}`,
    }),
  });
  const payout = (await response.json()) as { id: string };
  expect(response.ok, JSON.stringify(payout)).toBe(true);

  await signInAs(page, "admin");
  const run = await page.request.post("/trpc/payouts.runPayouts", { data: {} });
  expect(run.ok(), await run.text()).toBe(true);
  const { batchId } = ((await run.json()) as { result: { data: { batchId: string } } }).result.data;

  // The first attempt fails with a plain reason; an operator retries; the second is its own record.
  await page.goto(`/payouts/${payout.id}`);
  const attempts = page.getByTestId("payout-attempt");
  await expect(attempts).toHaveCount(1);
  await expect(attempts.first()).toHaveAttribute("data-outcome", "failed");
  await expect(attempts.first()).toContainText("Attempt 1: Failed");
  await expect(attempts.first()).toContainText(`M-Pesa ${sandboxRefusesNumber}`);
  await expect(attempts.first().getByTestId("failure-reason")).toContainText("not registered for M-Pesa");
  await page.getByRole("button", { name: `Retry payout ${payout.id}` }).click();
  await page.getByRole("button", { name: "Retry payout", exact: true }).click();
  await expect(attempts).toHaveCount(2, { timeout: 60_000 });
  await expect(attempts.nth(1)).toContainText("Attempt 2");
  // The first attempt's failure is still there, unchanged.
  await expect(attempts.first()).toHaveAttribute("data-outcome", "failed");
  await expect(attempts.first().getByTestId("failure-reason")).toContainText("not registered for M-Pesa");

  // The run id links to the run's page: its summary and its payouts.
  await page.getByTestId("batch-link").click();
  await expect(page).toHaveURL(new RegExp(`/payouts/runs/${batchId}$`));
  await expect(page.getByRole("heading", { level: 1, name: "Payout run" })).toBeVisible();
  await expect(page.getByTestId("payout-run-summary")).toContainText("Demo admin");
  await expect(page.getByTestId("payout-run-summary")).toContainText("KES");
  await expect(page.locator(`tr[data-payout-id="${payout.id}"]`)).toBeVisible();

  // The list of runs, newest first, each linked.
  await page.getByRole("link", { name: "← All payout runs" }).click();
  const runRow = page.locator(`tr[data-batch-id="${batchId}"]`);
  await expect(runRow).toBeVisible();
  await expect(runRow).toContainText("Demo admin");
  await expect(runRow).toContainText("KES");
  await runRow.getByRole("link", { name: batchId }).click();
  await expect(page).toHaveURL(new RegExp(`/payouts/runs/${batchId}$`));

  // Date filter: created today (UTC) shows it; from tomorrow shows nothing of today's.
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await page.goto("/payouts");
  await page.getByLabel("Created from").fill(today);
  await page.getByLabel("Created to (inclusive, UTC)").fill(today);
  await expect(page.locator(`tr[data-payout-id="${payout.id}"]`)).toBeVisible();
  await page.getByLabel("Created from").fill(tomorrow);
  await page.getByLabel("Created to (inclusive, UTC)").fill(tomorrow);
  await expect(page.getByText("No payouts match these filters.")).toBeVisible();
  await expect(page.locator(`tr[data-payout-id="${payout.id}"]`)).toHaveCount(0);
});

test("the payouts list sorts by amount and by creation time, either way", async ({ page, apiUrl }) => {
  // Its own two payouts of different amounts, so the order shows whatever ran before.
  for (const amount of [1_000, 1_300]) {
    const response = await fetch(`${apiUrl}/payouts`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": partnerKey },
      body: JSON.stringify({
        userId: "user_prod7",
        amount,
        currency: "KES",
        destination: { type: "mpesa", account: "+254708374149" },
        reference: `e2e-sort-${amount}-${Date.now()}`,
      }),
    });
    expect(response.ok, await response.text()).toBe(true);
  }
  await signInAs(page, "viewer");
  await page.goto("/payouts");
  await page.getByRole("combobox", { name: "Currency" }).selectOption("KES");
  const rows = page.locator("tr[data-payout-id]");
  await expect(rows.first()).toBeVisible();
  const amounts = async () => (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-amount")!))).map(BigInt);
  const amountHeader = page.getByRole("columnheader", { name: /Amount/ });

  await amountHeader.getByRole("button").click();
  await expect(amountHeader).toHaveAttribute("aria-sort", "descending");
  await expect(page.locator("#payouts")).toContainText("Largest first.");
  const sorted = (list: bigint[], direction: 1 | -1) => list.every((value, i) => i === 0 || (direction === 1 ? list[i - 1]! <= value : list[i - 1]! >= value));
  // The previous page stays on screen until the sorted one arrives.
  await expect(page.getByTestId("payouts-table")).not.toHaveAttribute("aria-busy", "true");
  await expect.poll(async () => sorted(await amounts(), -1)).toBe(true);
  const descending = await amounts();
  expect(descending.length).toBeGreaterThan(1);

  await amountHeader.getByRole("button").click();
  await expect(amountHeader).toHaveAttribute("aria-sort", "ascending");
  await expect(page.locator("#payouts")).toContainText("Smallest first.");
  await expect(page.getByTestId("payouts-table")).not.toHaveAttribute("aria-busy", "true");
  await expect.poll(async () => sorted(await amounts(), 1)).toBe(true);
  const ascending = await amounts();
  expect(ascending[0]! <= descending.at(-1)!).toBe(true);

  const createdHeader = page.getByRole("columnheader", { name: /Created/ });
  await createdHeader.getByRole("button").click();
  await expect(createdHeader).toHaveAttribute("aria-sort", "descending");
  await expect(amountHeader).toHaveAttribute("aria-sort", "none");
  await expect(page.locator("#payouts")).toContainText("Newest first.");
});

test("retry after a final failure says it is a new request, may go to another number, and pays that number once", async ({ page, apiUrl }) => {
  test.setTimeout(180_000);
  const newNumber = "+254708374149";
  const response = await fetch(`${apiUrl}/payouts`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": partnerKey },
    body: JSON.stringify({
      userId: "user_prod7",
      amount: 1_500,
      currency: "KES",
      destination: { type: "mpesa", account: sandboxRefusesNumber },
      reference: `e2e-redirect-${Date.now()}`,
    }),
  });
  const payout = (await response.json()) as { id: string };
  expect(response.ok, JSON.stringify(payout)).toBe(true);

  await signInAs(page, "admin");
  const run = await page.request.post("/trpc/payouts.runPayouts", { data: {} });
  expect(run.ok(), await run.text()).toBe(true);
  await page.goto(`/payouts/${payout.id}`);
  const attempts = page.getByTestId("payout-attempt");
  await expect(attempts.first()).toHaveAttribute("data-outcome", "failed");

  await page.getByRole("button", { name: `Retry payout ${payout.id}` }).click();
  const dialog = page.getByRole("dialog", { name: "Retry this payout?" });
  const plan = dialog.getByTestId("retry-plan");
  await expect(plan).toContainText(`sent again now to M-Pesa ${sandboxRefusesNumber}`);
  await expect(plan).toContainText(`It goes as a new M-Pesa request, ${payout.id}-a2: M-Pesa answered the last request (${payout.id}) with a final failure`);
  await dialog.getByLabel("Send to another M-Pesa number (optional)").fill(newNumber);
  await expect(plan).toContainText(`sent again now to M-Pesa ${newNumber}`);
  await expect(dialog.getByTestId("retry-destination-change")).toContainText(`${newNumber} replaces ${sandboxRefusesNumber}`);
  await expect(dialog.getByTestId("retry-destination-change")).toContainText("recorded in the audit log");
  await dialog.getByRole("button", { name: `Retry payout to ${newNumber}` }).click();
  await expect(dialog).toBeHidden();

  // The second attempt is its own record, to the new number, and paid.
  await expect(attempts).toHaveCount(2, { timeout: 60_000 });
  await expect(attempts.nth(1)).toContainText(`M-Pesa ${newNumber}`);
  await expect(attempts.nth(1)).toHaveAttribute("data-outcome", "paid", { timeout: 60_000 });
  await expect(attempts.first()).toContainText(`M-Pesa ${sandboxRefusesNumber}`);

  // The sandbox paid the new request once, to the new number; the refused one was never paid.
  const { payments } = (await (await fetch(`${process.env.E2E_SANDBOX_URL}/__sandbox/payments`)).json()) as {
    payments: Array<{ originatorConversationId: string; partyB: string; amount: number }>;
  };
  expect(payments.filter((p) => p.originatorConversationId.startsWith(payout.id))).toEqual([
    expect.objectContaining({ originatorConversationId: `${payout.id}-a2`, partyB: newNumber.slice(1), amount: 15 }),
  ]);
});
