// V8 flags the worker runs with (pnpm start, the package's start script, the benchmarks). By
// default V8 gives the young generation two 16 MB semi-spaces: ~32 MB of the worker's RSS
// whatever it does. 2 MB ones cost nothing measurable dispatching deposits' events (`pnpm
// bench:api`), but under `pnpm bench:payouts` the worker filled them every few ms, so the
// objects of its in-flight jobs (HTTP requests, SQL batches waiting a few ms for company)
// survived scavenges and were promoted and collected again in the old generation: GC was 17% of
// its busy samples in the payout phase, 5% with 8 MB ones. Peak RSS under `pnpm bench:api`:
// 167 MB with 8 MB (target 200; ~135 MB with 2 MB, 183–195 MB with V8's default).
export const workerNodeFlags = ["--max-semi-space-size=8"] as const;

// glibc gives each thread that mallocs concurrently its own arena (up to 8 per core) and rarely
// returns an arena's freed pages: V8's background threads (compiling Prisma's WebAssembly query
// compiler, concurrent GC) left ~30 MB of the worker's RSS in arenas it never reused. Two arenas
// measured ~135 MB peak instead of ~170 MB under `pnpm bench:api`, same CPU per deposit. Read by
// glibc when the process starts, so it is set by whatever launches the worker.
export const workerProcessEnv = { MALLOC_ARENA_MAX: "2" } as const;
