// `pnpm keys:create --name "Acme farm app" --scopes deposits:write,deposits:read [--partner partner_…]`:
// creates a partner API key (for the default partner unless --partner names one) on DATABASE_URL (or the embedded database under .data/) and prints it once.
import { parseArgs } from "node:util";
import { createDb } from "@agrinet/db";
import { openLocalDatabaseOrExit } from "@agrinet/db/local-database";
import { applyMigrations } from "@agrinet/db/migrate";
import { createPartnerKey } from "@agrinet/domain";
import { partnerScopes } from "@agrinet/router";
import { loadLauncherEnv } from "./env";

const usage = `usage: pnpm keys:create --name <name> --scopes <scope,scope…|all> [--partner <partner id>]
scopes: ${partnerScopes.join(", ")}`;

function fail(message: string): never {
  process.stderr.write(`keys:create: ${message}\n${usage}\n`);
  process.exit(64); // EX_USAGE
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        name: { type: "string" },
        scopes: { type: "string", multiple: true },
        partner: { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
})();
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const name = values.name?.trim();
if (!name) fail("--name is required");
const requested = (values.scopes ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
if (!requested.length) fail("--scopes is required");
const scopes = requested.includes("all") ? [...partnerScopes] : requested;
const unknown = scopes.filter((s) => !(partnerScopes as readonly string[]).includes(s));
if (unknown.length) fail(`unknown scope ${unknown.join(", ")}`);

const env = loadLauncherEnv();
const database = await openLocalDatabaseOrExit("keys:create", env.DATABASE_URL, { dataDir: env.DATA_DIR });
await applyMigrations(database.url);
const db = createDb({ connectionString: database.url, maxConnections: 1 });
try {
  const key = await createPartnerKey({
    db,
    name,
    scopes,
    partnerId: values.partner?.trim() || undefined,
    actor: `system:cli:${process.env.USER ?? "unknown"}`,
  }).catch((error: Error) => fail(error.message));
  process.stderr.write(`created key ${key.id} "${key.name}" for ${key.partnerId} with scopes ${key.scopes.join(", ")}\n`);
  process.stderr.write("the key is shown only now; store it in the partner's secret store:\n");
  process.stdout.write(`${key.key}\n`);
} finally {
  await db.$disconnect();
  await database.close();
}
