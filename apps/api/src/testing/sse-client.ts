// Test helper: a plain fetch-based SSE reader, as a partner's client would be.

export type SseMessage = { id?: string; data?: string; comment?: string };

export type SseConnection = {
  status: number;
  messages: SseMessage[];
  /** Waits until `predicate` holds for the messages so far. */
  waitFor(predicate: (messages: SseMessage[]) => boolean, timeoutMs?: number): Promise<SseMessage[]>;
  close(): void;
};

export async function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  if (response.ok && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) messages.push({ comment: line.slice(1).trim() });
            }
            const message: SseMessage = {};
            for (const line of block.split("\n")) {
              if (line.startsWith("id: ")) message.id = line.slice(4);
              if (line.startsWith("data: ")) message.data = line.slice(6);
            }
            if (message.data !== undefined) messages.push(message);
            for (const wake of waiters) wake();
          }
        }
      } catch {
        // Closed by the test.
      }
    })();
  }
  return {
    status: response.status,
    messages,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (Date.now() > deadline) {
          throw new Error(`SSE condition not met; got ${JSON.stringify(messages)}`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          waiters.add(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        waiters.clear();
      }
      return messages;
    },
    close: () => abort.abort(),
  };
}

export const notificationsIn = (messages: SseMessage[]) =>
  messages
    .filter((m) => m.data !== undefined)
    .map((m) => ({ id: m.id!, ...(JSON.parse(m.data!) as { type: string; aggregateId: string }) }));
