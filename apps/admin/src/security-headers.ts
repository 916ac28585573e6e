/**
 * Headers on every dashboard response: no framing (clickjacking a payout button), no referrer
 * leaking paths with ids to other sites, and a CSP that keeps scripts, styles, images and
 * connections to this origin. Next's hydration uses inline scripts, hence 'unsafe-inline' for
 * scripts; `next dev` also evaluates code.
 */
export function securityHeaders(options: { dev: boolean }): Array<{ key: string; value: string }> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return [
    { key: "Content-Security-Policy", value: csp },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "Referrer-Policy", value: "same-origin" },
    { key: "X-Content-Type-Options", value: "nosniff" },
  ];
}
