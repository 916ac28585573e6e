import { describe, expect, test } from "vitest";
import {
  contractEscrowAccount,
  externalAccount,
  parseAccountCode,
  parsedAccountCodesLimit,
  payoutsInFlightAccount,
  platformAccount,
  userWalletAccount,
} from "./account-codes";
import { ledgerRequestHash, validateLedgerTransaction } from "./post-ledger-transaction";

describe("account codes", () => {
  test("builders produce codes that parse back to owner, purpose, currency and overdraft rule", () => {
    expect(parseAccountCode(userWalletAccount("user_buyer1", "KES"))).toEqual({
      code: "user:user_buyer1:wallet:KES",
      ownerType: "user",
      ownerId: "user_buyer1",
      purpose: "wallet",
      currency: "KES",
      allowNegative: false,
    });
    expect(parseAccountCode(contractEscrowAccount("contract_45ab", "TZS"))).toMatchObject({
      code: "contract:contract_45ab:escrow:TZS",
      purpose: "escrow",
      allowNegative: false,
    });
    expect(parseAccountCode(platformAccount("ntari-platform", "UGX"))).toMatchObject({
      code: "platform:ntari-platform:UGX",
      ownerType: "platform",
      allowNegative: false,
    });
    expect(parseAccountCode(externalAccount("mpesa", "KES"))).toMatchObject({
      code: "external:mpesa:KES",
      purpose: "clearing",
      allowNegative: true,
    });
    expect(parseAccountCode(payoutsInFlightAccount("USD"))).toMatchObject({
      code: "payouts:in_flight:USD",
      allowNegative: false,
    });
  });

  test.each([
    "user:u1:wallet:EUR",
    "user:u1:escrow:KES",
    "user:u:1:wallet:KES",
    "external:paypal:KES",
    "payouts:settled:KES",
    "wallet:KES",
    "",
  ])("refuses %j", (code) => {
    expect(() => parseAccountCode(code)).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });

  test("a parsed code is kept (frozen, shared) up to the limit, the oldest dropped first", () => {
    const code = (i: number) => userWalletAccount(`cache_${i}`, "KES");
    const first = parseAccountCode(code(0));
    expect(Object.isFrozen(first)).toBe(true);
    expect(parseAccountCode(code(0))).toBe(first);
    for (let i = 1; i <= parsedAccountCodesLimit; i++) parseAccountCode(code(i));
    const latest = parseAccountCode(code(parsedAccountCodesLimit));
    expect(parseAccountCode(code(parsedAccountCodesLimit))).toBe(latest);
    // Dropped: parsed again into an equal spec, a new object.
    const again = parseAccountCode(code(0));
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  test("an invalid code is refused every time, not remembered", () => {
    for (let i = 0; i < 2; i++) {
      expect(() => parseAccountCode("user:u1:wallet:EUR")).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
    }
  });

  test("builders refuse owner ids that would break the code", () => {
    expect(() => userWalletAccount("a:b", "KES")).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });
});

describe("validateLedgerTransaction", () => {
  const postings = [
    { account: "external:bank:KES", amount: -10n, currency: "KES" as const },
    { account: "user:u1:wallet:KES", amount: 10n, currency: "KES" as const },
  ];

  test("accepts balanced postings and extracts the contract id", () => {
    const validated = validateLedgerTransaction({
      idempotencyKey: "k",
      kind: "escrow_fund",
      metadata: { contractId: "contract_1" },
      postings,
    });
    expect(validated.contractId).toBe("contract_1");
  });

  test("sums per currency: balanced in total but not per currency is refused", () => {
    expect(() =>
      validateLedgerTransaction({
        idempotencyKey: "k",
        kind: "adjustment",
        postings: [
          { account: "external:bank:KES", amount: -10n, currency: "KES" },
          { account: "user:u1:wallet:USD", amount: 10n, currency: "USD" },
        ],
      }),
    ).toThrow(/KES postings sum to -10/);
  });

  test("refuses unknown kinds and a single posting, naming the field", () => {
    expect(() => validateLedgerTransaction({ idempotencyKey: "k", kind: "gift" as never, postings }))
      .toThrow(expect.objectContaining({ fields: [expect.objectContaining({ path: "kind" })] }));
    expect(() => validateLedgerTransaction({ idempotencyKey: "k", kind: "transfer", postings: postings.slice(0, 1) }))
      .toThrow(expect.objectContaining({ fields: [expect.objectContaining({ path: "postings" })] }));
  });

  test("the request hash depends on kind, accounts and amounts", () => {
    const base = ledgerRequestHash("deposit", postings);
    expect(ledgerRequestHash("deposit", postings)).toBe(base);
    expect(ledgerRequestHash("refund", postings)).not.toBe(base);
    expect(ledgerRequestHash("deposit", [postings[0]!, { ...postings[1]!, amount: 11n }])).not.toBe(base);
  });

  test("the request hash is the sha256 (base64url) of the canonical text, as stored by earlier versions", () => {
    // ledger_transactions.request_hash holds these; a replay compares them, so they never change.
    expect(ledgerRequestHash("deposit", postings)).toBe("ARLVf0zvAYFfsMpQ0_ulMxdNKjO6M30x6nfDcORvyHc");
    expect(ledgerRequestHash("transfer", [
      { account: "user:ünï:wallet:KES", amount: -10n, currency: "KES" },
      { account: "user:u1:wallet:KES", amount: 10n, currency: "KES" },
    ])).toBe("AfEgy3TAqLrz9ctO1t6--zWMrQIpa3BT0n1jDivqbfU");
  });
});
