import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { AnyTRPCRouter } from "@trpc/server";
import type { FastifyInstance } from "fastify";
import fastifyPlugin from "fastify-plugin";
import type { OpenAPIObject } from "trpc-to-openapi";
import { buildOpenApiDocument, type PlainRouteOperation } from "./openapi-document";

declare module "fastify" {
  interface FastifyContextConfig {
    /** OpenAPI operation of a plain Fastify route; REST-bridge routes get theirs from the procedure. */
    openapi?: Record<string, unknown>;
    /** A REST route kept at an operation's earlier path: served, deliberately not documented. */
    formerPath?: boolean;
    /** `false`: no CORS headers on this route (@fastify/cors reads it but does not declare it). */
    cors?: false;
  }
}

/**
 * `GET /openapi.json` and the `/docs` reference page (Swagger UI, served from the package, no
 * CDN). Register it before the other routes: its onRoute hook collects the plain routes'
 * `config.openapi`. The document is built once, when the server is ready, so a procedure whose
 * schema cannot be documented stops the server at start rather than failing a partner later.
 */
export const openApiRoutes = fastifyPlugin(
  async function openApiRoutes(fastify: FastifyInstance, options: { router: AnyTRPCRouter; version: string }) {
    const plainRoutes: PlainRouteOperation[] = [];
    fastify.addHook("onRoute", (route) => {
      const operation = route.config?.openapi;
      if (!operation) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method !== "HEAD") plainRoutes.push({ method, path: route.url, operation });
      }
    });

    let document: OpenAPIObject | undefined;
    const currentDocument = () =>
      (document ??= buildOpenApiDocument({ router: options.router, plainRoutes, version: options.version }));
    fastify.addHook("onReady", async () => {
      currentDocument();
    });

    fastify.get(
      "/openapi.json",
      {
        config: {
          openapi: {
            operationId: "openapi_document",
            summary: "This OpenAPI document",
            tags: ["meta"],
            security: [],
            responses: { "200": { description: "OpenAPI 3.1 document", content: { "application/json": {} } } },
          },
        },
      },
      async () => currentDocument(),
    );

    await fastify.register(swagger, {
      mode: "static",
      // Swagger UI asks @fastify/swagger for the document; the transform below answers with ours.
      specification: { document: { openapi: "3.1.0", info: { title: "Agrinet Pay API", version: options.version }, paths: {} } },
    });
    await fastify.register(swaggerUi, {
      routePrefix: "/docs",
      transformSpecificationClone: false,
      transformSpecification: () => currentDocument() as unknown as Record<string, unknown>,
      uiConfig: { deepLinking: true, validatorUrl: null },
    });
  },
  { name: "openapi-routes" },
);
