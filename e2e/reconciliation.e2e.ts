import { expect, signInAs, test } from "./fixtures";

const partnerKey = "agp_dev_partner_key_0000000000000000000000000000";
// The Daraja sandbox pays any number other than its documented failure numbers at once.
const sandboxPaysNumber = "+254708374149";

type Payout = { id: string; status: string; providerReference: string | null };

async function partnerRequest<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, { ...init, headers: { "content-type": "application/json", "x-api-key": partnerKey, ...init.headers } });
  const text = await response.text();
  expect(response.ok, `${init.method ?? "GET"} ${url} answered ${response.status}: ${text}`).toBe(true);
  return JSON.parse(text) as T;
}

/** dd-mm-yyyy HH:MM:SS in East Africa Time, as the M-Pesa portal prints it. */
function portalTime(date: Date): string {
  const iso = new Date(date.getTime() + 3 * 3_600_000).toISOString();
  return `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
}

test("an operator works two exceptions from an uploaded M-Pesa statement: one linked by hand to the payout it is, one adjusted", async ({
  page,
  apiUrl,
}, testInfo) => {
  test.setTimeout(240_000);
  const run = Date.now().toString(36).toUpperCase();

  // A real payout through the worker and the sandbox: a clearing posting with M-Pesa's receipt.
  const created = await partnerRequest<Payout>(`${apiUrl}/payouts`, {
    method: "POST",
    body: JSON.stringify({
      userId: "user_buyer1",
      amount: 1_000,
      currency: "KES",
      destination: { type: "mpesa", account: sandboxPaysNumber },
      reference: `e2e-recon-${run}`,
    }),
  });
  await signInAs(page, "operator");
  const started = await page.request.post("/trpc/payouts.runPayouts", { data: { currency: "KES" } });
  expect(started.status(), await started.text()).toBe(200);
  let payout = created;
  await expect
    .poll(async () => (payout = await partnerRequest<Payout>(`${apiUrl}/api/v1/payouts/${created.id}`)).status, { timeout: 120_000 })
    .toBe("paid");
  const receipt = payout.providerReference!;
  expect(receipt).toBeTruthy();

  // M-Pesa's statement shows the payout under another receipt, and money we never booked.
  const relabelled = `E2E${run}L`;
  const unknownIn = `E2E${run}F`;
  const at = portalTime(new Date());
  const csv = [
    "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.",
    `${relabelled},${at},${at},Business Payment to 254708374149,Completed,,-10.00,,true,Business Payment to Customer via API,254708374149 - Sandbox Recipient,,`,
    `${unknownIn},${at},${at},Interest credit,Completed,2.50,,,true,Interest,,,`,
  ].join("\r\n");

  await page.goto("/reconciliation");
  await expect(page.getByRole("heading", { level: 1, name: "Reconciliation" })).toBeVisible();
  const upload = page.getByRole("form", { name: "Upload a statement" });
  await upload.getByLabel("Source").selectOption("mpesa");
  await upload.getByLabel("File").setInputFiles({ name: "mpesa-statement.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await upload.getByRole("button", { name: "Preview" }).click();
  const preview = page.getByRole("region", { name: "Statement preview" });
  await expect(preview).toContainText("2 new");
  await preview.getByRole("button", { name: "Commit 2 new lines and match" }).click();
  await expect(preview).toContainText("2 new exceptions");

  // The line paying the payout: linked by hand to the posting with the payout's receipt.
  await page.getByRole("link", { name: new RegExp(relabelled) }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Line with no ledger movement/ })).toBeVisible();
  await expect(page.getByTestId("exception-line")).toContainText(relabelled);
  const candidates = page.getByRole("table", { name: "Postings this line could be linked to" });
  await candidates.getByRole("row").filter({ hasText: receipt }).getByRole("checkbox").check();
  await page.screenshot({ path: testInfo.outputPath("exception-link.png"), fullPage: true });
  await page.getByRole("button", { name: "Link 1 selected…" }).click();
  const linkDialog = page.getByRole("dialog", { name: "Link this line by hand?" });
  await linkDialog.getByLabel("Reason (kept on the exception)").fill("M-Pesa printed another receipt for this payout");
  await linkDialog.getByRole("button", { name: "Link 1 postings" }).click();
  await expect(page.getByTestId("exception-status")).toHaveText("resolved: linked");
  await expect(page.getByRole("table", { name: "Matched postings" })).toContainText(receipt);
  await expect(page.getByRole("table", { name: "Postings this line could be linked to" })).toHaveCount(0);

  // Money in we never booked: posted to a platform account, audited, matched to the adjustment.
  await page.getByRole("link", { name: "← Exceptions queue" }).click();
  await page.getByRole("link", { name: new RegExp(unknownIn) }).click();
  await expect(page.getByTestId("exception-line")).toContainText(unknownIn);
  await page.getByRole("button", { name: "Post adjustment…" }).click();
  const adjustDialog = page.getByRole("dialog", { name: "Post an adjustment?" });
  await expect(adjustDialog).toContainText("KES 2.50");
  const account = adjustDialog.getByLabel("Platform account");
  if ((await account.evaluate((element) => element.tagName)) === "INPUT") await account.fill("platform:ntari-platform:KES");
  await adjustDialog.getByLabel("Reason (kept on the exception and the ledger transaction)").fill("interest credited by M-Pesa");
  await adjustDialog.getByRole("button", { name: "Post KES adjustment" }).click();
  await expect(page.getByTestId("exception-status")).toHaveText("resolved: adjusted");
  await expect(page.getByTestId("exception-summary")).toContainText("interest credited by M-Pesa");
  await expect(page.getByRole("table", { name: "Matched postings" })).toContainText("adjustment");

  await page.getByRole("textbox", { name: "Comment" }).fill("Checked against the portal");
  await page.getByRole("button", { name: "Add comment" }).click();
  await expect(page.getByRole("list", { name: "Comments" })).toContainText("Checked against the portal");
  await page.screenshot({ path: testInfo.outputPath("exception-adjusted.png"), fullPage: true });

  // Neither is open any more.
  await page.goto("/reconciliation");
  const queue = page.getByRole("table", { name: "Exceptions queue" });
  await expect(queue).toBeVisible();
  await expect(queue.getByRole("link", { name: new RegExp(`${relabelled}|${unknownIn}`) })).toHaveCount(0);

  // The day's closing comparison was recorded with the commit (not recomputed on reading), and
  // its history lists every version.
  const today = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(0, 10);
  const report = page.getByRole("table", { name: "Daily reconciliation report" });
  await expect(report.getByRole("row").filter({ hasText: today })).toContainText(/v\d+, /);
  await page.getByText(/History of the closing comparisons/).click();
  await expect(page.getByRole("table", { name: "Recorded closing comparisons, every version" })).toContainText(`${today} KES`);
});
