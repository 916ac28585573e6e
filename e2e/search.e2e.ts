import { expect, signInAs, test } from "./fixtures";

const partnerKey = "agp_dev_partner_key_0000000000000000000000000000";

async function createPayout(apiUrl: string, body: { amount: number; account: string; reference: string }): Promise<string> {
  const response = await fetch(`${apiUrl}/payouts`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": partnerKey },
    body: JSON.stringify({
      userId: "user_prod7",
      amount: body.amount,
      currency: "KES",
      destination: { type: "mpesa", account: body.account },
      reference: body.reference,
    }),
  });
  const payout = (await response.json()) as { id: string };
  expect(response.ok, JSON.stringify(payout)).toBe(true);
  return payout.id;
}

test("the header search finds payouts by phone number as an operator types it, and by exact amount", async ({ page, apiUrl }) => {
  // A number and an amount no other test uses, so the hits are exactly these payouts.
  const subscriber = `7${String(Date.now()).slice(-8)}`;
  // Odd cents: the other tests and the demo data pay round amounts.
  const amount = 1_001 + 2 * (Date.now() % 400);
  const first = await createPayout(apiUrl, { amount: 1_000, account: `+254${subscriber}`, reference: `e2e-search-a-${subscriber}` });
  const second = await createPayout(apiUrl, { amount, account: `+254${subscriber}`, reference: `e2e-search-b-${subscriber}` });

  await signInAs(page, "viewer");
  const box = page.getByRole("searchbox", { name: /^Search deposits/ });
  // The local form, with spaces: 0712 345 678.
  await box.fill(`0${subscriber.slice(0, 3)} ${subscriber.slice(3, 6)} ${subscriber.slice(6)}`);
  await box.press("Enter");
  const results = page.getByTestId("search-results");
  await expect(results.getByRole("row").filter({ hasText: "by phone" })).toHaveCount(2);
  await expect(results.getByRole("link", { name: first })).toBeVisible();
  await expect(results.getByRole("link", { name: second })).toBeVisible();

  // An exact amount as the dashboard shows it: KES 12.35 is 1235 minor units.
  const shown = `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, "0")}`;
  await box.fill(`KES ${shown}`);
  await box.press("Enter");
  // One match opens its page.
  await expect(page).toHaveURL(new RegExp(`/payouts/${second}$`));
});
