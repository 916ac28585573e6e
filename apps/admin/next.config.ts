import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { securityHeaders } from "./src/security-headers";

// The API is reached through src/proxy.ts (a runtime rewrite), not `rewrites()` here: rewrites
// in next.config are frozen into the build, and the API's address is only known at start.
const config = (phase: string): NextConfig => ({
  reactStrictMode: true,
  poweredByHeader: false,
  // Workspace packages are consumed as TypeScript source.
  transpilePackages: ["@agrinet/ui", "@agrinet/core"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders({ dev: phase === PHASE_DEVELOPMENT_SERVER }) }];
  },
});

export default config;
