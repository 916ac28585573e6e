import { createDb } from "@agrinet/db";
import { freePort } from "@agrinet/db/embedded";
import { authenticateStaffSession, createStaffUser } from "@agrinet/domain";
import { expect, test } from "vitest";
import { apiForFile } from "../testing/api-for-file";
import { createAuth } from "./create-auth";
import { devAuthSettings } from "./settings";

const api = apiForFile();

// Found by the Patroni failover drill: during a failover a staff request answered 500 because
// better-auth turns a lost database into its own FAILED_TO_GET_SESSION.
test("a valid staff session whose database is unreachable is SERVICE_UNAVAILABLE (503), not a 500", async () => {
  await createStaffUser({ db: api.database.db, email: "ops@agrinet.test", password: "correct horse battery", role: "operator", actor: "system:test" });
  const signIn = await api.fastify.inject({
    method: "POST",
    url: "/api/auth/sign-in/email",
    headers: { origin: devAuthSettings.trustedOrigins[0]!, "content-type": "application/json" },
    payload: { email: "ops@agrinet.test", password: "correct horse battery" },
  });
  expect(signIn.statusCode).toBe(200);
  const raw = signIn.headers["set-cookie"];
  const cookie = (Array.isArray(raw) ? raw : [raw]).map((c) => String(c).split(";")[0]).join("; ");

  const options = { secret: devAuthSettings.sessionSecret, baseURL: "http://127.0.0.1", trustedOrigins: devAuthSettings.trustedOrigins, log: () => {} };
  const live = createAuth({ db: api.database.db, ...options });
  expect(await authenticateStaffSession({ auth: live, headers: new Headers({ cookie }) })).toMatchObject({ role: "operator" });

  // The same session checked against a database that is not there (nothing listens on the port).
  const gone = createDb({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${await freePort()}/agrinet`, maxConnections: 1 });
  try {
    const dead = createAuth({ db: gone, ...options });
    await expect(authenticateStaffSession({ auth: dead, headers: new Headers({ cookie }) })).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  } finally {
    await gone.$disconnect();
  }
});
