import { describe, expect, test } from "vitest";
import { createGroupCommit } from "./group-commit";

function recordingGroupCommit(options: { maxBatch?: number; failWhen?: (items: string[]) => boolean } = {}) {
  const batches: string[][] = [];
  const call = createGroupCommit<string, string>({
    key: (item) => item.split(":")[0]!,
    maxBatch: options.maxBatch,
    run: async (items) => {
      batches.push(items);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (options.failWhen?.(items)) throw new Error(`batch ${items.join(",")} failed`);
      return items.map((item) => `done ${item}`);
    },
  });
  return { call, batches };
}

describe("group commit", () => {
  test("calls made while a batch runs go together in the next one, each answered with its own result", async () => {
    const { call, batches } = recordingGroupCommit();
    const results = await Promise.all(["a", "b", "c", "d"].map(call));
    expect(results).toEqual(["done a", "done b", "done c", "done d"]);
    expect(batches).toEqual([["a"], ["b", "c", "d"]]);
  });

  test("one key is never twice in a batch: a second call for it waits for the next batch", async () => {
    const { call, batches } = recordingGroupCommit();
    await Promise.all(["x", "p:1", "q", "p:2", "p:3"].map(call));
    for (const batch of batches) {
      const keys = batch.map((item) => item.split(":")[0]);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(batches.flat().sort()).toEqual(["p:1", "p:2", "p:3", "q", "x"]);
  });

  test("batches stop at maxBatch", async () => {
    const { call, batches } = recordingGroupCommit({ maxBatch: 2 });
    await Promise.all(["a", "b", "c", "d", "e"].map(call));
    expect(batches.map((batch) => batch.length)).toEqual([1, 2, 2]);
  });

  test("a failed batch rejects only its own calls", async () => {
    const { call } = recordingGroupCommit({ failWhen: (items) => items.includes("bad") });
    const results = await Promise.allSettled(["a", "bad", "c"].map(call));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    expect(await call("after")).toBe("done after");
  });
});

describe("group commit retrying alone", () => {
  test("a failed batch's calls each run again alone, in arrival order: only the bad one fails", async () => {
    const batches: string[][] = [];
    const alone: string[] = [];
    const call = createGroupCommit<string, string>({
      run: async (items) => {
        batches.push(items);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (items.includes("bad")) throw new Error("batch failed");
        return items.map((item) => `batch ${item}`);
      },
      runAlone: async (item) => {
        alone.push(item);
        if (item === "bad") throw new Error("bad failed alone");
        return `alone ${item}`;
      },
    });
    const results = await Promise.allSettled(["a", "b", "bad", "c"].map(call));
    expect(batches).toEqual([["a"], ["b", "bad", "c"]]);
    expect(alone).toEqual(["b", "bad", "c"]);
    expect(results).toEqual([
      { status: "fulfilled", value: "batch a" },
      { status: "fulfilled", value: "alone b" },
      { status: "rejected", reason: new Error("bad failed alone") },
      { status: "fulfilled", value: "alone c" },
    ]);
  });
});

describe("group commit with a gathering wait", () => {
  test("calls arriving one by one within gatherMs share a batch; a full batch does not wait", async () => {
    const batches: string[][] = [];
    const call = createGroupCommit<string, string>({
      maxBatch: 3,
      gatherMs: 30,
      run: async (items) => {
        batches.push(items);
        return items;
      },
    });
    const spread = ["a", "b", "c", "d"].map(async (item, index) => {
      await new Promise((resolve) => setTimeout(resolve, index * 2));
      return call(item);
    });
    expect(await Promise.all(spread)).toEqual(["a", "b", "c", "d"]);
    // Without the wait, "a" would have gone alone the moment it arrived.
    expect(batches).toEqual([["a", "b", "c"], ["d"]]);
  });

  test("with gathersFor, a batch waits only while a call it gathers for is waiting", async () => {
    const batches: string[][] = [];
    const call = createGroupCommit<string, string>({
      maxBatch: 10,
      gatherMs: 30,
      gathersFor: (item) => item.startsWith("slow"),
      run: async (items) => {
        batches.push(items);
        return items;
      },
    });
    const spread = (items: string[]) =>
      Promise.all(
        items.map(async (item, index) => {
          await new Promise((resolve) => setTimeout(resolve, index * 2));
          return call(item);
        }),
      );
    // Calls nobody gathers for go the moment they arrive, each in its own batch.
    expect(await spread(["a", "b"])).toEqual(["a", "b"]);
    expect(batches).toEqual([["a"], ["b"]]);
    // A call gathered for holds its batch open for the calls that follow it, whatever they are.
    batches.length = 0;
    expect(await spread(["slow-c", "d", "e"])).toEqual(["slow-c", "d", "e"]);
    expect(batches).toEqual([["slow-c", "d", "e"]]);
  });
});

describe("group commit with sizes", () => {
  test("a batch holds at most maxBatch by size, callers stay in arrival order, an oversized item goes alone", async () => {
    const batches: string[][] = [];
    const call = createGroupCommit<string, string>({
      maxBatch: 5,
      size: (item) => item.length,
      run: async (items) => {
        batches.push(items);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return items;
      },
    });
    const results = await Promise.all(["a", "bbb", "cccc", "d", "eeeeeee", "ff"].map(call));
    expect(results).toEqual(["a", "bbb", "cccc", "d", "eeeeeee", "ff"]);
    // "d" would fit beside "bbb" but waits behind "cccc": no caller overtakes an earlier one.
    expect(batches).toEqual([["a"], ["bbb"], ["cccc", "d"], ["eeeeeee"], ["ff"]]);
  });
});

describe("group commit, one batch at a time", () => {
  function heldBatches() {
    const batches: string[][] = [];
    let running = 0;
    let mostAtOnce = 0;
    const finishers: Array<() => void> = [];
    const call = createGroupCommit<string, string>({
      key: (item) => item.split(":")[0]!,
      run: async (items) => {
        batches.push(items);
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise<void>((resolve) => finishers.push(resolve));
        running -= 1;
        return items.map((item) => `done ${item}`);
      },
    });
    const finishNext = async () => {
      while (finishers.length === 0) await new Promise((resolve) => setImmediate(resolve));
      finishers.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    };
    return { call, batches, finishNext, mostAtOnce: () => mostAtOnce };
  }

  test("calls arriving while a batch runs wait and go together in the next", async () => {
    const { call, batches, finishNext, mostAtOnce } = heldBatches();
    const calls = ["a", "b", "c"].map(call);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([["a"]]);
    await finishNext();
    await finishNext();
    expect(await Promise.all(calls)).toEqual(["done a", "done b", "done c"]);
    expect(batches).toEqual([["a"], ["b", "c"]]);
    expect(mostAtOnce()).toBe(1);
  });
});
