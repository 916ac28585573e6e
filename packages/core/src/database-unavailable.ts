// PostgreSQL unreachable, restarting, or too busy to hand out a connection in time: the request
// did nothing (its transaction rolled back or never began), so the caller should retry later.
// Recognised by shape, so core needs neither pg nor Prisma.

/** Prisma's codes: server unreachable or gone, pool or transaction start timed out. */
const prismaCodes = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);
/** Driver adapter error kinds (Prisma 7 with @prisma/adapter-pg). */
const adapterKinds = new Set(["DatabaseNotReachable", "ConnectionClosed", "TooManyConnections", "SocketTimeout", "TransactionAlreadyClosed"]);
/**
 * SQLSTATE class 08 (connection exception), 57P01-03 (shutting down, starting up), 53300, and
 * 25006: a write refused by a read-only server, i.e. a standby answering while a failover has not
 * finished promoting one (nothing in this application writes in a read-only transaction).
 */
const sqlStates = /^(08\d{3}|57P0[123]|53300|25006)$/;
const socketCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTCONN"]);
const messages =
  /timeout exceeded when trying to connect|Connection terminated|connection terminated unexpectedly|Can't reach database server|Client has encountered a connection error|Client was closed and is not queryable|the database system is (starting up|shutting down)|terminating connection due to administrator command|Unable to start a transaction in the given time/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // Walk the cause chain (and Prisma's meta.driverAdapterError): the driver's error is wrapped.
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const candidate = current as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    const code = typeof candidate.code === "string" ? candidate.code : undefined;
    if (code && (prismaCodes.has(code) || sqlStates.test(code) || socketCodes.has(code))) return true;
    if (typeof candidate.kind === "string" && adapterKinds.has(candidate.kind)) return true;
    if (typeof candidate.message === "string" && messages.test(candidate.message)) return true;
    if (current instanceof AggregateError && current.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    current = candidate.meta?.driverAdapterError ?? candidate.cause;
  }
  return false;
}
