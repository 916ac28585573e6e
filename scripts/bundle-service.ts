// Bundles a service (apps/api's server, apps/worker's runner) into one ES module, so production
// runs plain `node dist/…mjs`: no TypeScript loader thread, no on-the-fly transpiling, and
// less memory (the loader thread and its caches were ~60 MB of each process's RSS).
//
//   node --import tsx scripts/bundle-service.ts <entry.ts> <out.mjs>
//
// Our own code (@agrinet/* sources) is bundled; npm packages stay external, imported by the
// absolute path they resolve to from the file that imports them (pnpm does not hoist, so a
// dependency of packages/domain is not resolvable from apps/api/dist). Each bundled file keeps
// its own `import.meta.url` (and dirname, filename), so code that finds files beside itself (prisma/migrations) still does.
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  process.stderr.write("usage: bundle-service.ts <entry.ts> <out.mjs>\n");
  process.exit(64);
}

const externalPackages: Plugin = {
  name: "external-packages",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith("@agrinet/") || args.path.startsWith("node:") || isAbsolute(args.path)) return undefined;
      if (args.pluginData === "resolving") return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "resolving",
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      // A Node built-in imported without `node:` resolves to nothing on disk.
      if (!resolved.path || resolved.external) return { path: args.path, external: true };
      // Our code imports packages only for their exports (no bare `import "pkg"`): a package
      // whose exports the service never uses is not loaded (the worker needs no better-auth).
      return { path: pathToFileURL(resolved.path).href, external: true, sideEffects: false };
    });
  },
};

const ownImportMetaUrl: Plugin = {
  name: "own-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!source.includes("import.meta.")) return undefined;
      return {
        contents: source
          .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)))
          .replaceAll("import.meta.filename", JSON.stringify(args.path)),
        loader: "ts",
      };
    });
  },
};

await build({
  entryPoints: [resolve(entry)],
  outfile: resolve(outfile),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["import", "node"],
  sourcemap: "linked",
  logLevel: "warning",
  plugins: [externalPackages, ownImportMetaUrl],
});
