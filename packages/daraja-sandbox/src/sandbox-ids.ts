import { randomFillSync } from "node:crypto";

/*
 * The ids and timestamps every sandbox answer carries, made cheaply: the sandbox answers
 * thousands of requests a second in benchmarks, on the same cores as the product it stands in for.
 */

/** Random bytes drawn from a pool refilled 4 KiB at a time: one system call per ~200 ids, not per id. */
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;
export function pooledRandomBytes(size: number): Buffer {
  if (randomPoolOffset + size > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  randomPoolOffset += size;
  return randomPool.subarray(randomPoolOffset - size, randomPoolOffset);
}

/** A whole number in [min, max). */
export function randomInt(min: number, max: number): number {
  return min + (pooledRandomBytes(4).readUInt32BE() % (max - min));
}

const receiptAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** M-Pesa receipts (and transaction ids) look like `SBK3XY7QZ1`: ten upper-case letters and digits. */
export function randomReceipt(): string {
  const bytes = pooledRandomBytes(10);
  let id = "";
  for (const b of bytes) id += receiptAlphabet[b % receiptAlphabet.length];
  return id;
}

/** Formats one second at most once: every id and result carries a timestamp of this second. */
function perSecond(format: (iso: string) => string): (date: Date) => string {
  let second = Number.NaN;
  let formatted = "";
  return (date) => {
    const at = Math.floor(date.getTime() / 1000);
    if (at !== second) {
      second = at;
      formatted = format(date.toISOString());
    }
    return formatted;
  };
}

/** Daraja's `YYYYMMDDHHmmss`. */
export const compactTimestamp = perSecond((iso) => iso.replace(/\D/g, "").slice(0, 14));

/** B2C's `DD.MM.YYYY HH:mm:ss`. */
export const darajaDateTime = perSecond(
  (iso) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)} ${iso.slice(11, 19)}`,
);

/** Daraja's ConversationID for an accepted request: `AG_<date>_<20 hex>`. */
export function newConversationId(): string {
  return `AG_${compactTimestamp(new Date()).slice(0, 8)}_${pooledRandomBytes(10).toString("hex")}`;
}
