/**
 * @module scripts/bundle
 * Bundles the CLI after tsc (`npm run build`): dist/cli/main.js (the `lifeboat` bin),
 * dist/cli/worker.js (the codec worker) and their shared chunks, all in dist/cli/ so that
 * the paths the code derives from import.meta.url (the worker beside the pool, the schema
 * in docs/, the CLI for schedule units) resolve as in the unbundled layout.
 *
 * Why: starting meant loading ~400 modules. A cold `lifeboat --version` took 0.9 s as
 * modules and 0.4 s bundled; every hourly backup and every restore pays it (bench/agent,
 * issue 4). ssh2, the AWS SDK and nodemailer stay outside the bundle: they are imported
 * only when an SFTP or S3 repository or an e-mail notifier is used.
 */
import { chmod, readdir, rm } from "node:fs/promises";
import { build } from "esbuild";

// Chunk names carry a content hash: drop the last build's, or they pile up.
for (const f of await readdir("dist/cli")) if (/^chunk-.*\.js$/.test(f)) await rm(`dist/cli/${f}`);

await build({
  entryPoints: { main: "src/cli/main.ts", worker: "src/repository/codec/worker.ts" },
  outdir: "dist/cli",
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  external: ["ssh2", "cpu-features", "@aws-sdk/*", "@smithy/*", "nodemailer"],
  // CommonJS dependencies call require() for Node built-ins, which ESM output lacks.
  banner: { js: "import { createRequire as __lifeboatRequire } from 'node:module'; const require = __lifeboatRequire(import.meta.url);" },
  legalComments: "none",
  logLevel: "warning",
});
await chmod("dist/cli/main.js", 0o755);
