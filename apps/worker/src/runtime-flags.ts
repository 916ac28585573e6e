// V8 flags the worker runs with (pnpm start, the package's start script, the API benchmark). By
// default V8 gives the young generation two 16 MB semi-spaces: ~32 MB of the worker's RSS
// whatever it does, and most of the gap to its 200 MB target. The worker's allocations are small
// and short-lived (SQL batches, job payloads), so 2 MB semi-spaces cost it no measurable CPU
// under `pnpm bench:api` (0.010 ms per deposit dispatched either way) and cut its peak RSS from
// 183–195 MB to ~170 MB. Raise it with NODE_OPTIONS if a deployment's worker shows scavenges.
export const workerNodeFlags = ["--max-semi-space-size=2"] as const;

// glibc gives each thread that mallocs concurrently its own arena (up to 8 per core) and rarely
// returns an arena's freed pages: V8's background threads (compiling Prisma's WebAssembly query
// compiler, concurrent GC) left ~30 MB of the worker's RSS in arenas it never reused. Two arenas
// measured ~135 MB peak instead of ~170 MB under `pnpm bench:api`, same CPU per deposit. Read by
// glibc when the process starts, so it is set by whatever launches the worker.
export const workerProcessEnv = { MALLOC_ARENA_MAX: "2" } as const;
