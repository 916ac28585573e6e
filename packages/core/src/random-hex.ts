import { randomFillSync } from "node:crypto";

// Ids are minted on every write request; one call into the CSPRNG per id showed up in the API's
// profile. The same random bytes, drawn 4 KiB at a time and never handed out twice.
const pool = Buffer.alloc(4096);
let offset = pool.length;

/** `bytes` cryptographically random bytes as hex (2 × bytes characters). */
export function randomHex(bytes: number): string {
  if (bytes > pool.length) return randomFillSync(Buffer.alloc(bytes)).toString("hex");
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString("hex", offset, offset + bytes);
  offset += bytes;
  return hex;
}
