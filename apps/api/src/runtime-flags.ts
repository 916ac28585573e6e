// V8 flags the API runs with (pnpm start, the package's start script, the benchmark). Under a
// sustained 1,000 requests/s V8 let the heap grow to ~330 MB RSS before collecting; capping the
// old generation at 192 MB makes it collect sooner (~225 MB RSS measured, same throughput). The
// young generation keeps V8's 16 MB semi-spaces: with 8 the scavenger ran twice as often, ~5-8%
// more API CPU per STK deposit, for ~13-25 MB less RSS (bench:api peak 207 against 220-233 MB, under ≤ 250). The API's live
// heap is a fraction of the cap; raise it with NODE_OPTIONS if a deployment needs more.
export const apiNodeFlags = ["--max-old-space-size=192", "--max-semi-space-size=16"] as const;

// glibc gives each thread that mallocs concurrently its own arena and rarely returns an arena's
// freed pages, so the API's RSS at 5,000 deposits/s drifted between ~185 and ~225 MB run to run
// with the same V8 heap. Two arenas: ~199-210 MB in back-to-back runs, CPU per request within
// noise. Read by glibc when the process starts, so it is set by whatever launches the API.
export const apiProcessEnv = { MALLOC_ARENA_MAX: "2" } as const;
