import { parseMpesaStatement } from "../packages/domain/src/reconciliation/parse-mpesa-statement";
import { assignLineIdentities } from "../packages/domain/src/reconciliation/statement-values";
const columns = "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.";
const lines = 100000;
const csv = [columns, ...Array.from({ length: lines }, (_, i) => `BNC${i.toString(36).toUpperCase().padStart(7, "0")},07-12-2026 08:00:00,07-12-2026 08:00:00,Pay Bill Online,Completed,${10 + (i % 5000)}.00,,,true,Pay Bill Online,254700000000 - Customer,,`)].join("\r\n");
for (let k = 0; k < 3; k++) {
  let t = performance.now();
  const buf = Buffer.from(csv);
  const text = buf.toString("utf8");
  const parsed = parseMpesaStatement(text);
  const t1 = performance.now();
  const ids = assignLineIdentities(parsed.rows);
  const t2 = performance.now();
  const arrs = [parsed.rows.map((r) => r.bookedAt.toISOString()), parsed.rows.map((r) => r.amount.toString())];
  const t3 = performance.now();
  console.log(`parse ${(t1 - t).toFixed(0)} ms, identities ${(t2 - t1).toFixed(0)} ms, arrays ${(t3 - t2).toFixed(0)} ms`, ids.length, arrs.length);
}
