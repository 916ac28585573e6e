import { describe, expect, it } from "vitest";
import { BankTransferRail, exportBankPayoutBatchCsv } from "./bank-transfer-rail";

describe("bank rail", () => {
  it("leaves a bank payout waiting for the operator and refuses a missing account", async () => {
    const rail = new BankTransferRail();
    const base = { payoutId: "p1", providerKey: "p1", amount: 100n, currency: "KES" };
    expect(await rail.send({ ...base, destination: { type: "bank", account: "0123456789" } })).toEqual({ kind: "pending-callback" });
    expect(await rail.send({ ...base, destination: { type: "bank", account: " " } })).toMatchObject({ kind: "failed-final" });
  });

  it("exports a batch as CSV with exact amounts, quoting, and spreadsheet formulas neutralised", () => {
    const csv = exportBankPayoutBatchCsv([
      { payoutId: "p1", amount: 123_456_78n, currency: "KES", accountNumber: "0123456789", bankCode: "01", accountName: "Wanjiru, Mary" },
      { payoutId: "p2", amount: 5_000n, currency: "UGX", accountNumber: "999", accountName: '=HYPERLINK("http://x")', reference: 'say "hi"' },
    ]);
    expect(csv.split("\r\n")).toEqual([
      "payout_id,account_name,account_number,bank_code,bank_name,currency,amount_minor,amount,reference",
      'p1,"Wanjiru, Mary",0123456789,01,,KES,12345678,"123,456.78",p1',
      `p2,"'=HYPERLINK(""http://x"")",999,,,UGX,5000,"5,000","say ""hi"""`,
      "",
    ]);
  });
});
