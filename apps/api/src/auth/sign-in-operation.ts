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
};

/**
 * better-auth's own error body, which its client library (the dashboard's sign-in form) reads,
 * with the envelope's `error: { code, message }` beside it.
 */
const signInError = (description: string) => ({
  description,
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["message", "error"],
        properties: {
          message: { type: "string" },
          code: { type: "string", description: "better-auth's code, e.g. INVALID_EMAIL_OR_PASSWORD" },
          error: {
            type: "object",
            required: ["code", "message"],
            properties: { code: { type: "string" }, message: { type: "string" } },
          },
        },
      },
    },
  },
});

Object.assign(signInOperation.responses, {
  "400": signInError("Malformed email or password field."),
  "401": signInError("Wrong email or password (or a disabled member)."),
  "429": {
    ...signInError("Too many attempts for this address and email; wait `Retry-After` seconds."),
    headers: { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer", minimum: 0 } } },
  },
});
