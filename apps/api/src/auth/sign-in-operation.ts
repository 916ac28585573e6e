/**
 * The OpenAPI operation of staff sign-in (better-auth's endpoint, forwarded by auth-routes.ts):
 * the one /api/auth route a tool needs to obtain the `agrinet.session_token` cookie.
 */
export const signInOperation = {
  operationId: "auth_signInEmail",
  summary: "Sign in as staff (email and password); sets the session cookie",
  tags: ["auth"],
  security: [],
  requestBody: {
    required: true,
    content: {
      "application/json": {
        schema: {
          type: "object",
          required: ["email", "password"],
          properties: {
            email: { type: "string", format: "email" },
            password: { type: "string", minLength: 1 },
            rememberMe: { type: "boolean" },
          },
        },
        example: { email: "admin@agrinet.example", password: "correct horse battery staple" },
      },
    },
  },
  responses: {
    "200": {
      description: "Signed in; the session cookie is set (httpOnly)",
      headers: {
        "Set-Cookie": { description: "`agrinet.session_token=…; HttpOnly; SameSite=Lax`", schema: { type: "string" } },
      },
      content: {
        "application/json": {
          schema: {
            type: "object",
            properties: {
              redirect: { type: "boolean" },
              token: { type: "string" },
              user: { type: "object", properties: { id: { type: "string" }, email: { type: "string" }, name: { type: "string" } } },
            },
          },
        },
      },
    },
  },
  // 401 wrong email or password, 429 too many attempts (Retry-After).
  errorStatuses: [400, 401],
};
