/**
 * @module testing/s3server
 * A throwaway S3 server for tests: s3rver in a child process on 127.0.0.1, a free port and a
 * temp directory. A child process, because s3rver needs `--openssl-legacy-provider` (its
 * ListObjectsV2 continuation tokens use DES) and because its synchronous fs calls should not
 * stall the test's own event loop. The child exits when its stdin closes, so it dies with us.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { BackendOptions } from "../backends/registry.ts";

/** S3Env is one running server and what a test needs to point lifeboat at it. */
export interface S3Env {
  /** e.g. "http://127.0.0.1:40123" */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION on top of process.env, for spawned CLIs. */
  readonly env: NodeJS.ProcessEnv;
  /** `-o` options for this server. */
  readonly options: BackendOptions;
  createBucket(name: string): Promise<void>;
  /** `s3:http://127.0.0.1:PORT/bucket/prefix` */
  location(bucket: string, prefix?: string): string;
  stop(): Promise<void>;
}

// s3rver's fixed credentials; it checks SigV4 signatures, so other keys are rejected.
const KEY = "S3RVER";
const REGION = "us-east-1";

const RUNNER = `
const S3rver = require(process.argv[1]);
const server = new S3rver({ address: "127.0.0.1", port: 0, directory: process.argv[2], silent: true, vhostBuckets: false });
server.run().then((a) => process.stdout.write(JSON.stringify({ port: a.port }) + "\\n"), (e) => { console.error(e); process.exit(1); });
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`;

/** nodeBinary is the project's pinned node (a devDependency), else the one running us. */
function nodeBinary(): string {
  const pinned = fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url));
  return existsSync(pinned) ? pinned : process.execPath;
}

/** startS3Server starts s3rver and resolves once it accepts requests. */
export async function startS3Server(): Promise<S3Env> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), "lifeboat-s3rver-"));
  const s3rver = createRequire(import.meta.url).resolve("s3rver");
  const child = spawn(nodeBinary(), ["--openssl-legacy-provider", "-e", RUNNER, s3rver, dir], { stdio: ["pipe", "pipe", "pipe"] });
  let port: number;
  try {
    port = await readPort(child);
  } catch (err) {
    child.kill("SIGKILL");
    await fs.rm(dir, { recursive: true, force: true });
    throw new Error("s3rver did not start", { cause: err });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    accessKeyId: KEY,
    secretAccessKey: KEY,
    env: { ...process.env, AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: KEY, AWS_REGION: REGION },
    options: { "s3.region": REGION },
    createBucket: (name) => createBucket(endpoint, name),
    location: (bucket, prefix = "") => `s3:${endpoint}/${bucket}${prefix ? `/${prefix}` : ""}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}: ${stderr.trim()}`)));
    child.once("error", reject);
    setTimeout(() => reject(new Error(`s3rver did not report its port within 20s: ${stderr.trim()}`)), 20_000).unref();
  });
}

/** createBucket makes a bucket through the S3 API, as a user would. */
async function createBucket(endpoint: string, name: string): Promise<void> {
  const { S3Client, CreateBucketCommand } = await import("@aws-sdk/client-s3");
  const client = new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId: KEY, secretAccessKey: KEY }, maxAttempts: 1 });
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
}
