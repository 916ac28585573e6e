// The API benchmark's baseline: a bare Fastify route doing one INSERT per request on the same
// database, with the same pool size as the API (20) and logging off. Run by api.bench.ts as its
// own process, like the API, so both pay the same process and HTTP costs.
import Fastify from "fastify";
import pg from "pg";

const databaseUrl = process.env.DATABASE_URL;
const port = Number(process.env.PORT);
if (!databaseUrl || !port) {
  process.stderr.write("bare-insert-server: DATABASE_URL and PORT are required\n");
  process.exit(78);
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
const fastify = Fastify({ logger: false });

fastify.post<{ Body: { userId: string; amount: number; currency: string; reference: string } }>(
  "/deposit",
  async (request, reply) => {
    const { userId, amount, currency, reference } = request.body;
    const { rows } = await pool.query(
      "insert into bench_bare_deposits (user_id, amount, currency, reference) values ($1, $2, $3, $4) returning id::text",
      [userId, amount, currency, reference],
    );
    return reply.code(201).send({ id: rows[0].id });
  },
);

process.on("SIGTERM", () => {
  void fastify.close().then(() => pool.end()).then(() => process.exit(0));
});
await fastify.listen({ host: "127.0.0.1", port });
