import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createUserTokenVerifier, signUserToken, userTokenClaims } from "./user-tokens";

const secret = "a-test-secret-that-is-long-enough-000";
let server: Server;
let jwksUrl: string;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

beforeAll(async () => {
  const pair = await generateKeyPair("ES256");
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("HS256 tokens from the platform verify to their subject; others do not", async () => {
  const verify = createUserTokenVerifier({ secret });
  expect((await verify(await signUserToken({ secret, userId: "user-42" })))?.userId).toBe("user-42");
  expect(await verify(await signUserToken({ secret: `${secret}x`, userId: "user-42" }))).toBeNull();
  expect(await verify(await signUserToken({ secret, userId: "user-42", expiresIn: "-1m" }))).toBeNull();
  expect(await verify("not.a.jwt")).toBeNull();
});

test("unsigned tokens and tokens without a subject are refused", async () => {
  const verify = createUserTokenVerifier({ secret });
  const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  expect(await verify(`${encode({ alg: "none" })}.${encode({ sub: "user-42" })}.`)).toBeNull();
  const noSubject = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(new TextEncoder().encode(secret));
  expect(await verify(noSubject)).toBeNull();
});

test("tokens signed by a JWKS key verify through JWKS_URL", async () => {
  const verify = createUserTokenVerifier({ jwksUrl });
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "ES256", kid: "k1" })
    .setSubject("user-7")
    .setIssuer(userTokenClaims.issuer)
    .setAudience(userTokenClaims.audience)
    .setExpirationTime("5m")
    .sign(privateKey);
  expect((await verify(token))?.userId).toBe("user-7");
  // An HS256 token must not pass as a JWKS one.
  expect(await verify(await signUserToken({ secret, userId: "user-7" }))).toBeNull();
});

describe("issue #23 row 7: expiry, audience and issuer are required", () => {
  const key = new TextEncoder().encode(secret);
  const token = (build: (jwt: SignJWT) => SignJWT) =>
    build(new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("user-42")).sign(key);
  const complete = (jwt: SignJWT) => jwt.setIssuer(userTokenClaims.issuer).setAudience(userTokenClaims.audience);

  test("a token without exp is refused, however valid otherwise", async () => {
    const verify = createUserTokenVerifier({ secret });
    expect((await verify(await token((jwt) => complete(jwt).setExpirationTime("1h"))))?.userId).toBe("user-42");
    expect(await verify(await token((jwt) => complete(jwt)))).toBeNull();
  });

  test("a token for another audience or from another issuer is refused", async () => {
    const verify = createUserTokenVerifier({ secret });
    expect(await verify(await token((jwt) => jwt.setIssuer(userTokenClaims.issuer).setAudience("other-app").setExpirationTime("1h")))).toBeNull();
    expect(await verify(await token((jwt) => jwt.setIssuer("someone-else").setAudience(userTokenClaims.audience).setExpirationTime("1h")))).toBeNull();
    expect(await verify(await token((jwt) => jwt.setExpirationTime("1h")))).toBeNull();
  });

  test("the configured audience and issuer replace the defaults", async () => {
    const verify = createUserTokenVerifier({ secret, audience: "acme-pay", issuer: "https://id.acme.example" });
    expect((await verify(await token((jwt) => jwt.setIssuer("https://id.acme.example").setAudience("acme-pay").setExpirationTime("1h"))))?.userId).toBe("user-42");
    expect(await verify(await signUserToken({ secret, userId: "user-42" }))).toBeNull();
  });
});

test("a token names its user's partner in partner_id; one without the claim is the default partner's", async () => {
  const verify = createUserTokenVerifier({ secret });
  expect(await verify(await signUserToken({ secret, userId: "user-42", partnerId: "partner_coop" }))).toEqual({
    userId: "user-42",
    partnerId: "partner_coop",
  });
  expect(await verify(await signUserToken({ secret, userId: "user-42" }))).toEqual({ userId: "user-42", partnerId: "partner_default" });
});
