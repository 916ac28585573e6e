import { expect, test } from "vitest";
import type { Principal } from "../access";
import { notificationRecipientFor, partnerKeyIdFor } from "./caller-scope";

const user: Principal = { kind: "user", partnerId: "partner_default", userId: "u1" };
const partner: Principal = { kind: "partner", partnerId: "partner_default", keyId: "k1", name: "Coop app", scopes: ["notifications:read"] };
const staff: Principal = { kind: "staff", userId: "s1", email: "s@example.com", role: "operator" };

test("users read their own notifications and nobody else's", () => {
  expect(notificationRecipientFor(user, undefined)).toEqual({ audience: "user", recipientId: "u1" });
  expect(notificationRecipientFor(user, "u1")).toEqual({ audience: "user", recipientId: "u1" });
  expect(() => notificationRecipientFor(user, "u2")).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
});

test("partners name the user they act for; staff get the staff audience unless they name one", () => {
  expect(notificationRecipientFor(partner, "u7")).toEqual({ audience: "user", recipientId: "u7" });
  expect(() => notificationRecipientFor(partner, undefined)).toThrow(
    expect.objectContaining({ code: "VALIDATION_FAILED", fields: [expect.objectContaining({ path: "userId" })] }),
  );
  expect(notificationRecipientFor(staff, undefined)).toEqual({ audience: "staff", recipientId: "staff" });
  expect(notificationRecipientFor(staff, "u7")).toEqual({ audience: "user", recipientId: "u7" });
  expect(() => notificationRecipientFor(null, undefined)).toThrow(expect.objectContaining({ code: "UNAUTHORIZED" }));
});

test("a partner manages only its own webhooks; staff name the key", () => {
  expect(partnerKeyIdFor(partner, undefined)).toBe("k1");
  expect(() => partnerKeyIdFor(partner, "k2")).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
  expect(partnerKeyIdFor(staff, "k2")).toBe("k2");
  expect(() => partnerKeyIdFor(staff, undefined)).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  expect(() => partnerKeyIdFor(user, "k1")).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
});
