import { startEmbeddedPostgres } from "/work/main/packages/db/src/embedded.ts";
import { diffSchemas, diffDatabaseToSchema, withPgClient } from "/work/main/packages/db/src/migrations.ts";
import { readFile } from "node:fs/promises";
const pg = await startEmbeddedPostgres({ dataDir: "/tmp/pgtry/data", persistent: false, durability: "none" });
const schema = await readFile("/work/main/prisma/schema.prisma", "utf8");
const sql = await diffSchemas(pg.url(), null, schema);
console.log(sql);
await withPgClient(pg.url(), async (c) => { await c.query(sql); });
try { console.log("URL DIFF:", JSON.stringify(await diffDatabaseToSchema(pg.url(), schema))); } catch (e) { console.log("url diff failed", e.message); }
await withPgClient(pg.url(), async (c) => { await c.query("alter table worker_heartbeats add column x int"); });
try { console.log("URL DIFF2:", JSON.stringify(await diffDatabaseToSchema(pg.url(), schema))); } catch (e) { console.log("url diff failed", e.message); }
await pg.stop();
