// A TCP proxy between the application and PostgreSQL that behaves as HAProxy does during a
// Patroni failover: the connections it carries are cut at once (FIN or RST), and while no node is
// primary a new connection is accepted and closed straight away. Tests put it in DATABASE_URL to
// provoke, on the embedded PostgreSQL, the errors the drill on the real cluster provokes.
import { createConnection, createServer, type Socket } from "node:net";

export type TcpProxy = {
  /** `url` with the proxy's host and port in place of PostgreSQL's. */
  url(target: string): string;
  /** How many connections it carries now. */
  readonly open: number;
  /** Cuts every connection: a FIN both ways (`"close"`), or a TCP reset (`"reset"`). */
  cut(how: "close" | "reset"): void;
  /** While refusing, a new connection is closed as soon as it is accepted (no server up). */
  refuse(refusing: boolean): void;
  close(): Promise<void>;
};

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const cut = (how: "close" | "reset") => {
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      for (const socket of pair) {
        if (how === "reset") socket.resetAndDestroy();
        else socket.destroy();
      }
    }
  };
  return {
    url(targetUrl) {
      const parsed = new URL(targetUrl);
      parsed.hostname = "127.0.0.1";
      parsed.port = String(port);
      return parsed.toString();
    },
    get open() {
      return pairs.size;
    },
    cut,
    refuse(value) {
      refusing = value;
    },
    async close() {
      cut("close");
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
