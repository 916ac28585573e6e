import { NextResponse, type NextRequest } from "next/server";
import { env } from "./env";

/**
 * Same origin with the API: tRPC, REST/auth and the notification stream are forwarded to
 * API_URL, so session cookies and server-sent events work without CORS. Read at runtime so one
 * build serves any API address.
 */
export function proxy(request: NextRequest) {
  const target = new URL(request.nextUrl.pathname + request.nextUrl.search, env.API_URL);
  if (request.nextUrl.pathname.startsWith("/notifications/")) {
    // Next gzips what it sends, and a gzipped event stream arrives only when it ends. Without
    // an accepted encoding the events pass through as they come.
    const headers = new Headers(request.headers);
    headers.delete("accept-encoding");
    return NextResponse.rewrite(target, { request: { headers } });
  }
  return NextResponse.rewrite(target);
}

// `/notifications` itself is the admin's feed page; only the API's paths below it (the event
// stream) are forwarded. `/admin/*` is the API's staff REST (settlement JSON and CSV); the
// dashboard's own pages live at the root, never under /admin.
export const config = {
  matcher: ["/trpc/:path*", "/api/:path*", "/notifications/:path+", "/admin/:path*"],
};
