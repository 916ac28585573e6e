/**
 * Group commit for a statement that works on many items at once (deposits, payouts, ledger batches): while
 * one batch is in the database, the calls made meanwhile wait and go together in the next. Alone,
 * a call goes at once; under load, a thousand payouts cost a few statements (and a few commits)
 * instead of a thousand. Each call gets its own item's result, or the batch's error; with
 * `runAlone`, a batch that fails as a whole is retried call by call, so one call's bad item (or a
 * lost connection) never fails the others.
 *
 * With `key`, a key appears at most once per batch (a second call for the same payout waits for
 * the next one), so a batch statement never sees one payout twice and two calls for one payout
 * stay ordered, as they would be on its row lock.
 */
export function createGroupCommit<Item, Result>(options: {
  key?(item: Item): string;
  /** Runs one batch; the results are in the items' order. */
  run(items: Item[]): Promise<Result[]>;
  /** The most a batch holds, counted with `size` (1 per item by default). */
  maxBatch?: number;
  /**
   * What an item counts towards maxBatch. Once an item does not fit, it and every later one wait
   * for the next batch, in arrival order; an item larger than maxBatch goes alone.
   */
  size?(item: Item): number;
  /**
   * How long a batch that is not full waits for more calls before it goes (default 0: at once).
   * For callers that arrive spread out rather than in bursts (a worker's concurrent jobs), where
   * each statement and commit costs the database more than the wait costs them.
   */
  gatherMs?: number;
  /**
   * Whether a call is worth gathering for (default: every call). A batch waits gatherMs only when
   * one of the calls waiting for it is: callers with a longer wait ahead of them anyway share
   * statements and commits, while a caller answered right after its statement is not delayed.
   */
  gathersFor?(item: Item): boolean;
  /**
   * Runs one call's item on its own after its batch failed as a whole (a batch of one too: the
   * batch's answer may have been lost after it committed, which the item alone finds out). The
   * calls of the failed batch run one after another in arrival order, each getting its own result
   * or error.
   */
  runAlone?(item: Item): Promise<Result>;
}): (item: Item) => Promise<Result> {
  const maxBatch = options.maxBatch ?? 500;
  const gatherMs = options.gatherMs ?? 0;
  const gathersFor = options.gathersFor ? (entry: { item: Item }) => options.gathersFor!(entry.item) : () => true;
  type Waiting = { item: Item; resolve(result: Result): void; reject(error: unknown): void };
  let waiting: Waiting[] = [];
  let draining = false;

  function takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const later: Waiting[] = [];
    const keys = new Set<string>();
    let total = 0;
    let full = false;
    for (const entry of waiting) {
      const key = options.key?.(entry.item);
      const size = options.size?.(entry.item) ?? 1;
      full ||= batch.length > 0 && total + size > maxBatch;
      if (full || (key !== undefined && keys.has(key))) later.push(entry);
      else {
        if (key !== undefined) keys.add(key);
        total += size;
        batch.push(entry);
      }
    }
    waiting = later;
    return batch;
  }

  async function runBatch(batch: Waiting[]) {
    try {
      const results = await options.run(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index]!));
    } catch (error) {
      if (!options.runAlone) {
        for (const entry of batch) entry.reject(error);
        return;
      }
      for (const entry of batch) await options.runAlone(entry.item).then(entry.resolve, entry.reject);
    }
  }

  // One drain at a time runs one batch after another.
  async function drain() {
    draining = true;
    try {
      while (waiting.length > 0) {
        if (gatherMs > 0 && waiting.length < maxBatch && waiting.some(gathersFor)) await new Promise((resolve) => setTimeout(resolve, gatherMs));
        await runBatch(takeBatch());
      }
    } finally {
      draining = false;
    }
  }

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!draining) void drain();
    });
}
