/**
 * @module backends/s3/s3.test
 * The s3 backend against a real S3 server (s3rver in a child process): the shared contract,
 * then the failure modes a remote store adds. What s3rver does not emulate is in docs/s3.md.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { HeadObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { isAbortError } from "../../errors/index.ts";
import { assertBytes, describeBackendContract, hexName, listNames } from "../../testing/backendContract.ts";
import { startS3Server, type S3Env } from "../../testing/s3server.ts";
import type { Backend } from "../backend.ts";
import { BackendAccessError, isNotFoundError } from "../errors.ts";
import { createS3Backend, type S3Seams } from "./index.ts";

let srv: S3Env;
let counter = 0;
const freshBucket = () => `bucket-${process.pid}-${++counter}`;

before(async () => {
  srv = await startS3Server();
});
after(async () => {
  await srv.stop();
});

/** open returns a backend for `bucket`/`prefix` on the test server (the part after `s3:`). */
const open = (bucket: string, prefix = "repo", env = srv.env, seams: S3Seams = {}): Promise<Backend> =>
  createS3Backend(srv.location(bucket, prefix).slice("s3:".length), srv.options, env, seams);

const rawClient = (extra: Partial<S3ClientConfig> = {}) =>
  new S3Client({
    endpoint: srv.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: srv.accessKeyId, secretAccessKey: srv.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    maxAttempts: 1,
    ...extra,
  });

describeBackendContract("s3", async () => {
  const bucket = freshBucket();
  await srv.createBucket(bucket);
  return { backend: await open(bucket, `p${counter}/repo`), cleanup: async () => undefined };
});

/** failure returns what `p` rejects with, failing the test if it resolves. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  return await p.then(() => assert.fail("expected a rejection"), (e: unknown) => e);
}

const accessProblem = (err: unknown) => (err instanceof BackendAccessError ? err.problem : `not an access error: ${String(err)}`);

describe("s3 backend against s3rver", () => {
  it("reports a missing bucket as no-bucket for stat, load and list, and create() makes it", async () => {
    const bucket = freshBucket();
    const be = await open(bucket);
    const h = { type: "snapshot" as const, name: hexName() };
    for (const err of [await failure(be.stat(h)), await failure(be.load(h)), await failure(listNames(be, "snapshot"))]) {
      assert.equal(accessProblem(err), "no-bucket");
      assert.ok(be.isPermanent(err) && !be.isNotFound(err), String(err));
      assert.match(String((err as Error).message), new RegExp(`bucket ${bucket} does not exist at ${srv.endpoint}`));
    }
    await be.create();
    await be.save(h, Buffer.from("s"));
    assert.deepEqual(await listNames(be, "snapshot"), [h.name]);
    await be.close();
  });

  it("fails with auth for credentials the server does not know", async () => {
    const bucket = freshBucket();
    await srv.createBucket(bucket);
    const be = await open(bucket, "repo", { ...srv.env, AWS_ACCESS_KEY_ID: "NOT-A-KEY" });
    for (const err of [await failure(be.load({ type: "config", name: "" })), await failure(listNames(be, "index"))]) {
      assert.equal(accessProblem(err), "auth");
      assert.ok(be.isPermanent(err));
      assert.match((err as BackendAccessError).hint ?? "", /AWS_ACCESS_KEY_ID/);
    }
    // A HEAD reply has no body, so a 403 cannot say why: it is "denied", also exit code 14.
    assert.equal(accessProblem(await failure(be.stat({ type: "config", name: "" }))), "denied");
    await be.close();
  });

  it("fails with unreachable (retryable) on a closed port", async () => {
    const be = await createS3Backend("http://127.0.0.1:9/bucket/repo", srv.options, srv.env);
    const err = await failure(be.stat({ type: "config", name: "" }));
    assert.equal(accessProblem(err), "unreachable");
    assert.ok(!be.isPermanent(err) && !be.isNotFound(err));
    await be.close();
  });

  it("pages through a listing and yields every object once", async () => {
    const bucket = freshBucket();
    await srv.createBucket(bucket);
    const be = await open(bucket, "repo", srv.env, { listPageSize: 7 });
    await be.create();
    const names = Array.from({ length: 40 }, () => hexName());
    await Promise.all(names.map((name) => be.save({ type: "pack", name }, Buffer.from(name))));
    await be.save({ type: "index", name: hexName() }, Buffer.from("i"));
    assert.deepEqual(await listNames(be, "pack"), [...names].sort());
    await be.close();
  });

  it("lists only valid objects under its own prefix", async () => {
    const bucket = freshBucket();
    await srv.createBucket(bucket);
    const be = await open(bucket, "a/repo");
    const other = await open(bucket, "a/repo2");
    const pack = hexName("ab");
    await be.save({ type: "pack", name: pack }, Buffer.from("p"));
    await other.save({ type: "pack", name: hexName("ab") }, Buffer.from("q"));
    const client = rawClient();
    for (const Key of [`a/repo/data/ab/${hexName("cd")}`, `a/repo/data/zz/${hexName()}`, "a/repo/data/README", `a/repo/index/x/${hexName()}`]) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: "junk" }));
    }
    client.destroy();
    assert.deepEqual(await listNames(be, "pack"), [pack]);
    assert.deepEqual(await listNames(be, "index"), []);
    await Promise.all([be.close(), other.close()]);
  });

  it("sends a correct Content-MD5 with every PutObject and UploadPart", async () => {
    const bucket = freshBucket();
    await srv.createBucket(bucket);
    const seen: Array<{ md5: string | undefined; actual: string }> = [];
    const be = await open(bucket, "repo", srv.env, { configureClient: (client) => client.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { method: string; headers: Record<string, string>; body?: unknown };
        if (req.method === "PUT" && req.body instanceof Uint8Array && req.body.byteLength > 0) {
          seen.push({ md5: req.headers["content-md5"], actual: createHash("md5").update(req.body).digest("base64") });
        }
        return next(args);
      },
      { step: "finalizeRequest", name: "md5Spy" },
    ) });
    await be.save({ type: "index", name: hexName() }, randomBytes(1000));
    await be.save({ type: "pack", name: hexName() }, randomBytes(12 << 20));
    assert.equal(seen.length, 1 + 2, "one PutObject and two parts");
    for (const s of seen) assert.equal(s.md5, s.actual);
    await be.close();
  });

  it("treats a body damaged in flight (BadDigest) as retryable", async () => {
    // s3rver does not verify Content-MD5 (docs/s3.md); emulate the reply of a server that does.
    const bucket = freshBucket();
    await srv.createBucket(bucket);
    const be = await open(bucket, "repo", srv.env, { configureClient: (client) => client.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error("The Content-MD5 you specified did not match what we received."), {
          name: "BadDigest",
          $metadata: { httpStatusCode: 400 },
        });
      },
      { step: "finalizeRequest", name: "badDigest" },
    ) });
    const h = { type: "pack" as const, name: hexName() };
    const err = await failure(be.save(h, randomBytes(100)));
    assert.ok(!be.isPermanent(err) && !be.isNotFound(err), String(err));
    await be.close();
    const check = await open(bucket);
    assert.ok(be.isNotFound(await failure(check.stat(h))));
    await check.close();
  });

  it("leaves no object when a multipart upload is aborted midway", async () => {
    const bucket = freshBucket();
    await srv.createBucket(bucket);
    const ac = new AbortController();
    let parts = 0;
    const be = await open(bucket, "repo", srv.env, { configureClient: (client) => client.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        if ((args.request as { query?: Record<string, unknown> }).query?.partNumber !== undefined && ++parts === 1) ac.abort();
        return out;
      },
      { step: "finalizeRequest", name: "abortAfterPart" },
    ) });
    const h = { type: "pack" as const, name: hexName() };
    await assert.rejects(be.save(h, randomBytes(30 << 20), { signal: ac.signal }), isAbortError);
    assert.ok(isNotFoundError(await failure(be.stat(h))));
    assert.deepEqual(await listNames(be, "pack"), []);
    // s3rver implements neither AbortMultipartUpload nor ListMultipartUploads, so pending
    // uploads cannot be checked here; removeLeftovers reports nothing to remove on such a server.
    assert.equal(await be.removeLeftovers!(0), 0);
    await be.close();
  });

  it("refuses to replace a config written by someone else", async () => {
    const bucket = freshBucket();
    await srv.createBucket(bucket);
    const be = await open(bucket);
    await be.create();
    const client = rawClient();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "repo/config", Body: "theirs" }));
    await assert.rejects(be.save({ type: "config", name: "" }, Buffer.from("ours")), (e) => be.isPermanent(e));
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "repo/config" }));
    assert.equal(head.ContentLength, "theirs".length);
    await assert.rejects(be.create(), (e) => be.isPermanent(e));
    assertBytes(await be.load({ type: "config", name: "" }), Buffer.from("theirs"));
    client.destroy();
    await be.close();
  });

  it("reports properties without credentials", async () => {
    const be = await createS3Backend(`${srv.endpoint}/some-bucket/x/y`, { ...srv.options, "s3.connections": "3" }, srv.env);
    assert.equal(be.properties.connections, 3);
    assert.equal(be.properties.location, `s3:${srv.endpoint}/some-bucket/x/y`);
    assert.ok(!be.properties.location.includes(srv.secretAccessKey));
    await be.close();
  });
});
