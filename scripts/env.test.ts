import { expect, test } from "vitest";
import { seedEnvShape, wellKnownSeedCredentials } from "./env";

const defaults = {
  SEED_ADMIN_EMAIL: seedEnvShape.SEED_ADMIN_EMAIL.parse(undefined),
  SEED_ADMIN_PASSWORD: seedEnvShape.SEED_ADMIN_PASSWORD.parse(undefined),
  SEED_PARTNER_API_KEY: seedEnvShape.SEED_PARTNER_API_KEY.parse(undefined),
  SEED_SECOND_PARTNER_API_KEY: seedEnvShape.SEED_SECOND_PARTNER_API_KEY.parse(undefined),
};

test("issue #23 row 15: production never seeds the well-known admin password or partner key", () => {
  expect(wellKnownSeedCredentials({ NODE_ENV: "development", ...defaults })).toEqual([]);
  expect(wellKnownSeedCredentials({ NODE_ENV: "production", ...defaults })).toEqual([
    "SEED_ADMIN_PASSWORD",
    "SEED_PARTNER_API_KEY",
    "SEED_SECOND_PARTNER_API_KEY",
  ]);
  expect(
    wellKnownSeedCredentials({
      NODE_ENV: "production",
      ...defaults,
      SEED_ADMIN_PASSWORD: "a password of our own",
      SEED_PARTNER_API_KEY: "agp_our_own_key_000000000000000000000000000",
      SEED_SECOND_PARTNER_API_KEY: "agp_our_second_key_000000000000000000000000",
    }),
  ).toEqual([]);
});
