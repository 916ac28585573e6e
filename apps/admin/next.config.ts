import type { NextConfig } from "next";
import { securityHeaders } from "./src/security-headers";

// The API is reached through src/proxy.ts (a runtime rewrite), not `rewrites()` here: rewrites
// in next.config are frozen into the build, and the API's address is only known at start.
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Workspace packages are consumed as TypeScript source.
  transpilePackages: ["@agrinet/ui", "@agrinet/core"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders({ dev: process.env.NODE_ENV === "development" }) }];
  },
};

export default config;
