// V8 flags the API runs with (pnpm start, the package's start script, the benchmark). Under a
// sustained 1,000 requests/s V8 let the heap grow to ~330 MB RSS before collecting; capping the
// old generation at 192 MB makes it collect sooner (~225 MB RSS measured, same throughput), and
// smaller young-generation semi-spaces keep the scavenger's share small. The API's live heap is
// a fraction of the cap; raise it with NODE_OPTIONS if a deployment needs more.
export const apiNodeFlags = ["--max-old-space-size=192", "--max-semi-space-size=8"] as const;

// glibc gives each thread that mallocs concurrently its own arena and rarely returns an arena's
// freed pages, so the API's RSS at 5,000 deposits/s drifted between ~185 and ~225 MB run to run
// with the same V8 heap. Two arenas: ~199-210 MB in back-to-back runs, CPU per request within
// noise. Read by glibc when the process starts, so it is set by whatever launches the API.
export const apiProcessEnv = { MALLOC_ARENA_MAX: "2" } as const;
