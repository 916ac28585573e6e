import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { expect, signInAs, test } from "./fixtures";

const partnerKey = "agp_dev_partner_key_0000000000000000000000000000";

async function post(apiUrl: string, path: string, body: unknown): Promise<{ id: string }> {
  const response = await fetch(`${apiUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": partnerKey },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { id: string };
  expect(response.ok, JSON.stringify(json)).toBe(true);
  return json;
}

async function downloadCsv(page: Page): Promise<{ header: string; rows: string[][] }> {
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;
  const [header, ...lines] = (await readFile((await download.path())!, "utf8")).trimEnd().split("\r\n");
  return { header: header!, rows: lines.map((line) => line.split(",")) };
}

test("payouts: one confirmation restating count and totals cancels several; the filtered list downloads as CSV", async ({ page, apiUrl }) => {
  test.setTimeout(120_000);
  const tag = Date.now();
  const payouts: Array<{ id: string }> = [];
  for (const [index, amount] of [1_000, 1_500, 2_500].entries()) {
    payouts.push(
      await post(apiUrl, "/payouts", {
        userId: "user_prod7",
        amount,
        currency: "KES",
        destination: { type: "mpesa", account: "+254708374149" },
        reference: `e2e-bulk-${tag}-${index}`,
      }),
    );
  }
  await signInAs(page, "admin");
  await page.goto("/payouts");
  await page.getByRole("combobox", { name: "Status" }).selectOption("queued");
  for (const payout of payouts) await page.getByRole("checkbox", { name: `Select payout ${payout.id}` }).check();
  const bar = page.getByTestId("bulk-bar");
  await expect(bar).toContainText("3 payouts selected");
  await bar.getByRole("button", { name: "Cancel 3" }).click();
  const dialog = page.getByRole("dialog", { name: "Cancel these payouts?" });
  await expect(dialog).toContainText("Total KES (3 payouts)");
  await expect(dialog).toContainText("KES 50.00");

  await dialog.getByRole("button", { name: "Cancel 3 payouts and release the funds" }).click();
  const results = page.getByTestId("bulk-results");
  await expect(results.getByTestId("bulk-succeeded")).toHaveText("3");
  await expect(results.getByTestId("bulk-failed")).toHaveText("0");
  for (const payout of payouts) await expect(results.getByRole("list", { name: "Done", exact: true })).toContainText(payout.id);
  await page.getByRole("button", { name: "Done", exact: true }).click();
  for (const payout of payouts) await expect(page.locator(`tr[data-payout-id="${payout.id}"]`)).toHaveCount(0);

  await page.getByRole("combobox", { name: "Status" }).selectOption("cancelled");
  const csv = await downloadCsv(page);
  expect(csv.header).toMatch(/^payout_id,created_at,user_id,reference,status,currency,amount,amount_minor_units,/);
  expect(csv.rows.length).toBeGreaterThanOrEqual(3);
  expect(new Set(csv.rows.map((row) => row[4]))).toEqual(new Set(["cancelled"]));
  const ids = csv.rows.map((row) => row[0]);
  for (const payout of payouts) expect(ids).toContain(payout.id);
  expect(csv.rows.find((row) => row[0] === payouts[2]!.id)!.slice(5, 8)).toEqual(["KES", "25.00", "2500"]);
});

test("deposits: confirm several with one evidence URL, each on its own (one was failed meanwhile); fail with one reason; the filtered queue downloads as CSV", async ({ page, apiUrl }) => {
  test.setTimeout(120_000);
  const tag = `e2e-bulkdep-${Date.now()}`;
  const deposits: Array<{ id: string }> = [];
  for (const [index, amount] of [12_345, 67_800, 5_000].entries()) {
    deposits.push(await post(apiUrl, "/deposit", { userId: "user_buyer1", amount, currency: "KES", method: "bank", reference: `${tag}-${index}` }));
  }
  await signInAs(page, "operator");
  await page.goto(`/deposits?q=${tag}`);
  await page.getByRole("checkbox", { name: `Select deposit ${tag}-0` }).check();
  await page.getByRole("checkbox", { name: `Select deposit ${tag}-1` }).check();
  const bar = page.getByTestId("bulk-bar");
  await expect(bar).toContainText("2 deposits selected");
  await bar.getByRole("button", { name: "Confirm 2" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm these deposits?" });
  await expect(dialog).toContainText("Total KES (2 deposits)");
  await expect(dialog).toContainText("KES 801.45");
  // Evidence is required before anything happens.
  await dialog.getByRole("button", { name: "Confirm 2 deposits" }).click();
  await expect(dialog.getByRole("alert")).toContainText("required");
  await dialog.getByLabel("Evidence URL, recorded on each deposit").fill("https://bank.example/statements/2026-12-07.pdf");

  // Meanwhile another operator fails one of them: that one fails on its own, the other is credited.
  const raced = await page.request.post("/trpc/deposits.fail", { data: { depositId: deposits[1]!.id, reason: "Duplicate slip" } });
  expect(raced.ok(), await raced.text()).toBe(true);
  await dialog.getByRole("button", { name: "Confirm 2 deposits" }).click();
  const results = page.getByTestId("bulk-results");
  await expect(results.getByTestId("bulk-succeeded")).toHaveText("1");
  await expect(results.getByTestId("bulk-failed")).toHaveText("1");
  await expect(results.getByRole("list", { name: "Not done" })).toContainText(deposits[1]!.id);
  await expect(results.getByRole("list", { name: "Done", exact: true })).toContainText(deposits[0]!.id);
  await page.getByRole("button", { name: "Done", exact: true }).click();

  // Fail the rest with one reason: "Fail" applies only to the pending one of the page.
  await page.getByRole("checkbox", { name: "Select every deposit on this page" }).check();
  await expect(bar).toContainText("3 deposits selected");
  await bar.getByRole("button", { name: "Fail 1" }).click();
  const failDialog = page.getByRole("dialog", { name: "Fail these deposits?" });
  await expect(failDialog).toContainText("2 deposits of the selection are left out");
  await failDialog.getByLabel("Reason, recorded on each deposit").fill("No such transfer on the bank statement");
  await failDialog.getByRole("button", { name: "Fail 1 deposit" }).click();
  await expect(page.getByTestId("bulk-succeeded")).toHaveText("1");
  await page.getByRole("button", { name: "Done", exact: true }).click();

  const csv = await downloadCsv(page);
  expect(csv.header).toMatch(/^deposit_id,created_at,user_id,method,reference,status,currency,amount,amount_minor_units,/);
  const byId = new Map(csv.rows.map((row) => [row[0], row]));
  expect([...byId.keys()].sort()).toEqual(deposits.map((d) => d.id).sort());
  expect(byId.get(deposits[0]!.id)!.slice(5, 9)).toEqual(["confirmed", "KES", "123.45", "12345"]);
  expect(byId.get(deposits[1]!.id)![13]).toBe("Duplicate slip");
  expect(byId.get(deposits[2]!.id)![13]).toBe("No such transfer on the bank statement");
});
