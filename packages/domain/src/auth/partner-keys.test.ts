import { expect, test } from "vitest";
import type { Db } from "@agrinet/db";
import type { Auth } from "./auth-service";
import { authenticatePartnerKey } from "./partner-keys";

/** An auth whose key check answers after a moment and counts how often it was asked. */
function countingAuth(valid: boolean) {
  const calls = { count: 0 };
  const auth = {
    api: {
      async verifyApiKey() {
        calls.count++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return valid
          ? { valid: true, key: { id: "key_1", name: "partner", permissions: { deposits: ["write"] } } }
          : { valid: false, key: null };
      },
    },
  } as unknown as Auth;
  // The key's partner, read beside the plugin's answer.
  const db = { apiKey: { findUnique: async () => ({ partnerId: "partner_default" }) } } as unknown as Db;
  return { auth, db, calls };
}

test("requests arriving together with an unverified key share one verification", async () => {
  const { auth, db, calls } = countingAuth(true);
  const key = `agp_single_flight_${Math.random()}`;
  const answers = await Promise.all(Array.from({ length: 25 }, () => authenticatePartnerKey({ auth, db, key })));
  expect(calls.count).toBe(1);
  expect(new Set(answers.map((a) => a?.keyId))).toEqual(new Set(["key_1"]));
  // Remembered afterwards: no further verification within the trust window.
  await authenticatePartnerKey({ auth, db, key });
  expect(calls.count).toBe(1);
});

test("a rejected key is shared with the requests waiting on it but never remembered", async () => {
  const { auth, db, calls } = countingAuth(false);
  const key = `agp_rejected_${Math.random()}`;
  const answers = await Promise.all(Array.from({ length: 5 }, () => authenticatePartnerKey({ auth, db, key })));
  expect(answers).toEqual([null, null, null, null, null]);
  expect(calls.count).toBe(1);
  await authenticatePartnerKey({ auth, db, key });
  expect(calls.count).toBe(2);
});
