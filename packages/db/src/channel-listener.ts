import pg from "pg";

export type ChannelListener = { stop(): Promise<void> };

export type ListenToChannelOptions = {
  /** A connection of its own, outside any pool: LISTEN lasts as long as the session. */
  connectionString: string;
  channel: string;
  /** Each NOTIFY on the channel, and once after every (re)connection: anything committed while no listener was attached. */
  onNotify(): void;
  onError?(error: unknown): void;
  /** Wait before connecting again after the connection is lost (default 1 s). */
  reconnectMs?: number;
};

/**
 * Holds one LISTEN connection on `channel`, reconnecting after it is lost until stopped. The
 * first connection's failure is thrown (a caller starting up learns the database is away).
 */
export async function listenToChannel(options: ListenToChannelOptions): Promise<ChannelListener> {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`not a plain channel name: ${options.channel}`);
  let listener: pg.Client | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let stopped = false;

  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: options.connectionString });
    client.on("notification", () => options.onNotify());
    client.on("error", (error) => {
      options.onError?.(error);
      lost(client);
    });
    client.on("end", () => lost(client));
    try {
      await client.connect();
      await client.query(`listen ${options.channel}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (stopped) {
      await client.end().catch(() => {});
      return;
    }
    listener = client;
    options.onNotify();
  };

  const lost = (client: pg.Client) => {
    if (listener !== client) return;
    listener = null;
    retry();
  };

  const retry = () => {
    if (stopped || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect().catch((error: unknown) => {
        options.onError?.(error);
        retry();
      });
    }, options.reconnectMs ?? 1_000);
  };

  await connect();
  return {
    async stop() {
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const client = listener;
      listener = null;
      await client?.end().catch(() => {});
    },
  };
}
