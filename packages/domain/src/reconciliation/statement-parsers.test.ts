import { describe, expect, test } from "vitest";
import { parseBankCsv, parseCamt053 } from "./parse-bank-statement";
import { parseMpesaStatement } from "./parse-mpesa-statement";
import { assignLineIdentities, compileStatementDateFormat, parseStatementAmount, parseStatementTime } from "./statement-values";

describe("statement values", () => {
  test("amounts as statements print them, in minor units", () => {
    expect(parseStatementAmount("1,800.00", "KES")).toBe(180_000n);
    expect(parseStatementAmount("-300.5", "KES")).toBe(-30_050n);
    expect(parseStatementAmount("(300.00)", "KES")).toBe(-30_000n);
    expect(parseStatementAmount("KES 5 000", "KES")).toBe(500_000n);
    expect(parseStatementAmount("1500", "UGX")).toBe(1500n);
    expect(parseStatementAmount("1500.5", "UGX")).toBeNull();
    expect(parseStatementAmount("1.001", "KES")).toBeNull();
    expect(parseStatementAmount("abc", "KES")).toBeNull();
  });

  test("times: day-first local (EAT) or ISO with an offset", () => {
    expect(parseStatementTime("07-12-2026 13:05:09")?.toISOString()).toBe("2026-12-07T10:05:09.000Z");
    expect(parseStatementTime("07/12/2026 1:05 PM")?.toISOString()).toBe("2026-12-07T10:05:00.000Z");
    expect(parseStatementTime("2026-12-07 13:05:09")?.toISOString()).toBe("2026-12-07T10:05:09.000Z");
    expect(parseStatementTime("07-Dec-2026")?.toISOString()).toBe("2026-12-06T21:00:00.000Z");
    expect(parseStatementTime("2026-12-07T10:05:09Z")?.toISOString()).toBe("2026-12-07T10:05:09.000Z");
    expect(parseStatementTime("31-02-2026 10:00:00")).toBeNull();
    expect(parseStatementTime("yesterday")).toBeNull();
  });
});

describe("M-Pesa organisation statement", () => {
  const portal = [
    "Account Holder:,Agrinet Pay",
    "Short Code:,600000",
    "Time Period:,07-12-2026 00:00:00 - 07-12-2026 23:59:59",
    "Opening Balance:,\"900,000.00\"",
    "Closing Balance:,\"898,199.00\"",
    "",
    "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.",
    "SLK1AB2CD3,07-12-2026 10:00:00,07-12-2026 10:00:00,Business Payment to 254708374149 - Jane,Completed,,\"-1,800.00\",\"898,200.00\",true,Business Payment to Customer via API,254708374149 - Jane,,",
    "SLK1AB2CD4,07-12-2026 11:00:00,07-12-2026 11:00:00,Pay Bill Online,Completed,1.00,,\"898,201.00\",true,Pay Bill Online,254711000001 - Otieno,,ACC1",
    "SLK1AB2CD5,07-12-2026 11:30:00,07-12-2026 11:30:00,Business Payment to 254700000001,Failed,,-500.00,,true,,,,",
    ",07-12-2026 12:00:00,,Nothing,Completed,1.00,,,,,,,",
    "SLK1AB2CD6,not a time,,x,Completed,1.00,,,,,,,",
    "SLK1AB2CD7,07-12-2026 12:00:00,,x,Completed,1.00,2.00,,,,,,",
    "SLK1AB2CD8,07-12-2026 12:30:00,,x,Completed,,2.00,,,,,,",
  ].join("\r\n");

  test("the portal's layout: header block, period, balances, withdrawals negative, refused rows with reasons", () => {
    const parsed = parseMpesaStatement(portal);
    expect(parsed.periodFrom?.toISOString()).toBe("2026-12-06T21:00:00.000Z");
    expect(parsed.periodTo?.toISOString()).toBe("2026-12-07T20:59:59.000Z");
    expect(parsed.openingBalance).toBe(90_000_000n);
    expect(parsed.closingBalance).toBe(89_819_900n);
    expect(parsed.rows.map((r) => [r.reference, r.amount, r.currency])).toEqual([
      ["SLK1AB2CD3", -180_000n, "KES"],
      ["SLK1AB2CD4", 100n, "KES"],
      // A positive Withdrawn is still money out.
      ["SLK1AB2CD8", -200n, "KES"],
    ]);
    expect(parsed.rows[0]!.counterparty).toBe("254708374149 - Jane");
    expect(parsed.refused.map((r) => r.row)).toEqual([3, 4, 5, 6]);
    expect(parsed.refused[0]!.reason).toContain("status Failed");
    expect(parsed.refused[1]!.reason).toContain("no receipt");
    expect(parsed.refused[2]!.reason).toContain("unreadable completion time");
    expect(parsed.refused[3]!.reason).toContain("exactly one");
  });

  test("small variations: no header block, other column order and names, ISO-ish dates, a BOM", () => {
    const csv = "\uFEFFCompletion Time,Receipt No,Details,Status,Paid in,Withdrawn\n2026-12-07 10:00,ABC123,Pay Bill,completed,\"2,500.00\",\n";
    const parsed = parseMpesaStatement(csv);
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.rows[0]).toMatchObject({ reference: "ABC123", amount: 250_000n });
    expect(parsed.periodFrom?.toISOString()).toBe("2026-12-07T07:00:00.000Z");
  });

  test("a file that is no M-Pesa statement is refused whole", () => {
    expect(() => parseMpesaStatement("a,b\n1,2\n")).toThrow(/Receipt No/);
  });

  test("identities: the same line twice in a file is two lines; another file with it once is the first", () => {
    const row = parseMpesaStatement(portal).rows[0]!;
    expect(assignLineIdentities([row, row, { ...row, amount: -180_001n }])).toEqual([
      "SLK1AB2CD3|-180000|KES#1",
      "SLK1AB2CD3|-180000|KES#2",
      "SLK1AB2CD3|-180001|KES#1",
    ]);
  });
});

describe("bank statements", () => {
  test("CSV through a saved column mapping, credit and debit columns", () => {
    const csv = ["Value Date,Bank Ref,Narrative,Money In,Money Out,Batch", "07/12/2026,FT123,Transfer in,\"10,000.00\",,", "08/12/2026,,Charges,,250.00,", "xx,FT1,bad,,1.00,"].join("\n");
    const parsed = parseBankCsv(csv, {
      currency: "KES",
      columns: { bookedAt: "Value Date", reference: "Bank Ref", description: "Narrative", credit: "Money In", debit: "Money Out", batchReference: "Batch" },
    });
    expect(parsed.rows.map((r) => [r.reference, r.amount, r.description])).toEqual([
      ["FT123", 1_000_000n, "Transfer in"],
      [null, -25_000n, "Charges"],
    ]);
    expect(parsed.refused).toEqual([{ row: 3, reason: 'unreadable date "xx"' }]);
    expect(() => parseBankCsv(csv, { currency: "KES", columns: { bookedAt: "Date", reference: "Ref", amount: "Amount" } })).toThrow(/not in the file/);
  });

  test("the saved date format decides the order: 03/04/2026 is 4 March for MM/DD/YYYY and 3 April for DD/MM/YYYY", () => {
    const csv = ["Date,Ref,Amount", "03/04/2026,FT1,100.00", "12/31/2026 04:05 PM,FT2,1.00", "31/12/2026,FT3,1.00"].join("\n");
    const columns = { bookedAt: "Date", reference: "Ref", amount: "Amount" };
    const us = parseBankCsv(csv, { currency: "KES", columns, dateFormat: "MM/DD/YYYY" });
    // Midnight and 16:05 East Africa Time.
    expect(us.rows.map((r) => [r.reference, r.bookedAt.toISOString()])).toEqual([
      ["FT1", "2026-03-03T21:00:00.000Z"],
      ["FT2", "2026-12-31T13:05:00.000Z"],
    ]);
    expect(us.refused).toEqual([{ row: 3, reason: 'unreadable date "31/12/2026" (the saved format is MM/DD/YYYY)' }]);
    const kenyan = parseBankCsv(csv, { currency: "KES", columns, dateFormat: "DD/MM/YYYY" });
    expect(kenyan.rows.map((r) => [r.reference, r.bookedAt.toISOString()])).toEqual([
      ["FT1", "2026-04-02T21:00:00.000Z"],
      ["FT3", "2026-12-30T21:00:00.000Z"],
    ]);
    expect(() => parseBankCsv(csv, { currency: "KES", columns, dateFormat: "DD/MM" })).toThrow(/needs a year, a month and a day/);
  });

  test.each([
    ["YYYY-MM-DD HH:mm:ss", "2026-12-07 14:05:09", "2026-12-07T11:05:09.000Z"],
    ["D-MMM-YY", "7-Dec-26", "2026-12-06T21:00:00.000Z"],
    ["DD.MM.YYYY", "07.12.2026 08:30", "2026-12-07T05:30:00.000Z"],
    ["YYYYMMDD", "20261207", "2026-12-06T21:00:00.000Z"],
    ["[Value:] DD/MM/YYYY", "Value: 07/12/2026", "2026-12-06T21:00:00.000Z"],
    ["YYYY-MM-DDTHH:mm", "2026-12-07T14:05", "2026-12-07T11:05:00.000Z"],
  ])("date format %s reads %s", (format, text, iso) => {
    expect(compileStatementDateFormat(format)(text)?.toISOString()).toBe(iso);
  });

  test.each([
    ["DD/MM/YYYY", "31/02/2026"],
    ["DD/MM/YYYY", "2026-12-07"],
    ["hh:mm A DD/MM/YYYY", "13:00 PM 07/12/2026"],
  ])("date format %s refuses %s", (format, text) => {
    expect(compileStatementDateFormat(format)(text)).toBeNull();
  });

  test.each([["DD/MM"], ["DD/MM/YYYY hh:mm"], ["DD/MM/YYYY Q"], ["DD/MM/[YYYY"]])("date format %s is refused", (format) => {
    expect(() => compileStatementDateFormat(format)).toThrow();
  });

  test("camt.053: booked entries signed by CdtDbtInd, balances, batch ids, pending entries refused", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG1</MsgId><CreDtTm>2026-12-08T06:00:00+03:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT1</Id>
      <FrToDt><FrDtTm>2026-12-07T00:00:00+03:00</FrDtTm><ToDtTm>2026-12-07T23:59:59+03:00</ToDtTm></FrToDt>
      <Acct><Id><IBAN>KE000000000000000001</IBAN></Id><Ccy>KES</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="KES">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-07</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="KES">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-07</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="KES">450.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-12-07</Dt></BookgDt><AcctSvcrRef>BANKREF1</AcctSvcrRef>
        <NtryDtls><Btch><PmtInfId>pb_batch1</PmtInfId></Btch><TxDtls><Refs><EndToEndId>po_1</EndToEndId></Refs></TxDtls></NtryDtls>
        <AddtlNtryInf>Bulk payment</AddtlNtryInf>
      </Ntry>
      <Ntry>
        <Amt Ccy="KES">50.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><DtTm>2026-12-07T18:00:00+03:00</DtTm></BookgDt>
        <AddtlNtryInf>Monthly charges</AddtlNtryInf>
      </Ntry>
      <Ntry><Amt Ccy="KES">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts><BookgDt><Dt>2026-12-07</Dt></BookgDt></Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>`;
    const parsed = parseCamt053(xml);
    expect(parsed).toMatchObject({ currency: "KES", openingBalance: 100_000n, closingBalance: 50_000n });
    expect(parsed.periodFrom?.toISOString()).toBe("2026-12-06T21:00:00.000Z");
    expect(parsed.rows.map((r) => [r.reference, r.batchReference, r.amount, r.description])).toEqual([
      ["BANKREF1", "pb_batch1", -45_000n, "Bulk payment"],
      [null, null, -5_000n, "Monthly charges"],
    ]);
    expect(parsed.refused).toEqual([{ row: 3, reason: "entry status PDNG, not booked" }]);
    expect(() => parseCamt053("<Document><Other/></Document>")).toThrow(/camt.053/);
  });
});
