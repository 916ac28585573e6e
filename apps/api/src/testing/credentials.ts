// Real credentials for API tests: staff signed in through /api/auth, partner keys as a partner
// would hold them, user JWTs signed like the platform's. Use with `fastify.inject`.
import type { Db } from "@agrinet/db";
import { createPartnerKey, createStaffUser, signUserToken } from "@agrinet/domain";
import type { PartnerScope, StaffRole } from "@agrinet/router";
import type { FastifyInstance } from "fastify";
import { devAuthSettings, type AuthSettings } from "../auth/settings";

export type Headers = Record<string, string>;

export type TestCredentials = {
  /** Headers of a signed-in staff member with this role (one user per role, signed in once). */
  staff(role: StaffRole): Promise<Headers>;
  /**
   * Headers carrying a partner key with exactly these scopes (one key per scope set and
   * partner; the default partner unless `partnerId` names another, which must exist).
   */
  partner(scopes: readonly PartnerScope[], via?: "x-api-key" | "bearer", partnerId?: string): Promise<Headers>;
  /** Headers carrying an end-user JWT whose subject is this user id (of the default partner unless named). */
  user(userId: string, partnerId?: string): Promise<Headers>;
};

export function createTestCredentials(options: {
  fastify: FastifyInstance;
  db: Db;
  settings?: AuthSettings;
}): TestCredentials {
  const settings = options.settings ?? devAuthSettings;
  const staffCookies = new Map<StaffRole, Promise<string>>();
  const partnerKeys = new Map<string, Promise<string>>();

  async function signIn(role: StaffRole): Promise<string> {
    const email = `${role}-${Math.random().toString(36).slice(2, 8)}@agrinet.test`;
    const password = `${role} test password`;
    await createStaffUser({ db: options.db, email, password, role, actor: "system:test" });
    const response = await options.fastify.inject({
      method: "POST",
      url: "/api/auth/sign-in/email",
      headers: { origin: settings.trustedOrigins[0] ?? settings.baseURL, "content-type": "application/json" },
      payload: { email, password },
    });
    if (response.statusCode !== 200) throw new Error(`sign-in as ${role} failed: ${response.statusCode} ${response.body}`);
    const raw = response.headers["set-cookie"];
    return (Array.isArray(raw) ? raw : [raw]).map((c) => String(c).split(";")[0]).join("; ");
  }

  return {
    async staff(role) {
      if (!staffCookies.has(role)) staffCookies.set(role, signIn(role));
      return { cookie: await staffCookies.get(role)! };
    },
    async partner(scopes, via = "x-api-key", partnerId) {
      const id = `${partnerId ?? ""}[${[...scopes].sort().join(",")}]`;
      if (!partnerKeys.has(id)) {
        partnerKeys.set(
          id,
          createPartnerKey({ db: options.db, name: `test key ${id}`, scopes: [...scopes], partnerId, actor: "system:test" }).then(
            (k) => k.key,
          ),
        );
      }
      const key = await partnerKeys.get(id)!;
      const headers: Headers = via === "bearer" ? { authorization: `Bearer ${key}` } : { "x-api-key": key };
      return headers;
    },
    async user(userId, partnerId) {
      if (!settings.jwtSecret) throw new Error("user tokens need settings.jwtSecret");
      const token = await signUserToken({
        secret: settings.jwtSecret,
        userId,
        partnerId,
        audience: settings.jwtAudience,
        issuer: settings.jwtIssuer,
      });
      return { authorization: `Bearer ${token}` };
    },
  };
}
