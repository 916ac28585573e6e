import { NextResponse, type NextRequest } from "next/server";
import { env } from "./env";

/** better-auth's session cookie (cookiePrefix "agrinet"; `__Secure-` when served over https). */
const sessionCookies = ["agrinet.session_token", "__Secure-agrinet.session_token"];

/** Pages a visitor without a session may open. */
const publicPages = ["/sign-in", "/status"];

function isApiPath(pathname: string) {
  return ["/trpc/", "/api/", "/notifications/", "/admin/"].some((prefix) => pathname.startsWith(prefix));
}

/**
 * Same origin with the API: tRPC, REST/auth and the notification stream are forwarded to
 * API_URL, so session cookies and server-sent events work without CORS. Read at runtime so one
 * build serves any API address.
 *
 * Pages need a staff session: without a session cookie a page request is sent to /sign-in
 * before anything renders. A cookie that is present but no longer valid (signed out elsewhere,
 * expired) is caught in the browser instead, by the first 401 (trpc/client.tsx).
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (!isApiPath(pathname)) {
    const signedIn = sessionCookies.some((name) => request.cookies.get(name)?.value);
    if (signedIn || publicPages.some((page) => pathname === page || pathname.startsWith(`${page}/`))) {
      return NextResponse.next();
    }
    const signIn = new URL("/sign-in", request.url);
    if (pathname !== "/") signIn.searchParams.set("next", pathname + search);
    return NextResponse.redirect(signIn);
  }

  const target = new URL(pathname + search, env.API_URL);
  const headers = new Headers(request.headers);
  // The API believes X-Forwarded-For from this proxy (TRUSTED_PROXIES) for its rate limits and
  // sign-in throttle: one a browser made up must not get that far.
  if (env.TRUST_FORWARDED_FOR !== "true") headers.delete("x-forwarded-for");
  if (pathname.startsWith("/notifications/")) {
    // Next gzips what it sends, and a gzipped event stream arrives only when it ends. Without
    // an accepted encoding the events pass through as they come.
    headers.delete("accept-encoding");
  }
  return NextResponse.rewrite(target, { request: { headers } });
}

// `/notifications` itself is the admin's feed page; only the API's paths below it (the event
// stream) are forwarded. `/admin/*` is the API's staff REST (settlement JSON and CSV); the
// dashboard's own pages live at the root, never under /admin. Pages are matched too (for the
// sign-in redirect); Next's own assets and files with an extension are not.
export const config = {
  matcher: [
    "/trpc/:path*",
    "/api/:path*",
    "/notifications/:path+",
    "/admin/:path*",
    "/((?!_next/|trpc/|api/|notifications/|admin/|.*\\.[a-z0-9]+$).*)",
  ],
};
