import { expect, test } from "vitest";
import { devAuthSettings } from "./auth/settings";
import { productionEnvProblems } from "./env";

const own = "a-production-secret-of-at-least-32-chars";

test("issue #23 row 15: production refuses the dev JWT_SECRET as it refuses the dev session secret", () => {
  expect(productionEnvProblems({ NODE_ENV: "production", BETTER_AUTH_SECRET: own, JWT_SECRET: own })).toEqual([]);
  expect(productionEnvProblems({ NODE_ENV: "production", BETTER_AUTH_SECRET: own, JWT_SECRET: devAuthSettings.jwtSecret })).toEqual([
    expect.stringMatching(/^invalid environment variable JWT_SECRET/),
  ]);
  expect(productionEnvProblems({ NODE_ENV: "production", BETTER_AUTH_SECRET: devAuthSettings.sessionSecret, JWT_SECRET: undefined })).toEqual([
    expect.stringMatching(/^invalid environment variable BETTER_AUTH_SECRET/),
  ]);
  expect(productionEnvProblems({ NODE_ENV: "development", BETTER_AUTH_SECRET: devAuthSettings.sessionSecret, JWT_SECRET: devAuthSettings.jwtSecret })).toEqual([]);
});
