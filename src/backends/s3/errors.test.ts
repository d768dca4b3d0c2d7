/**
 * @module backends/s3/errors.test
 * The SDK-error → lifeboat-error table: what is not-found, what is an access problem (and
 * which), what is permanent and what a retry may fix.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExitCode } from "../../errors/index.ts";
import { BackendAccessError, isNotFoundError, RangeNotSatisfiableError } from "../errors.ts";
import { isS3Permanent, mapS3Error } from "./errors.ts";

const ctx = { op: "load", handle: { type: "pack" as const, name: "abcd" }, bucket: "bkt", where: "https://s3.example.com", credentialSource: "profile \"x\"" };
const sdkError = (name: string, status?: number, extra: object = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe("s3 error mapping", () => {
  it("maps a missing object to not-found, keeping the cause", () => {
    for (const e of [sdkError("NoSuchKey", 404), sdkError("NotFound", 404), sdkError("404", 404)]) {
      const mapped = mapS3Error(e, ctx);
      assert.ok(isNotFoundError(mapped) && !isS3Permanent(mapped), e.name);
      assert.equal(mapped.cause, e);
    }
    assert.ok(!isNotFoundError(mapS3Error(sdkError("NoSuchKey", 404), { ...ctx, handle: undefined })), "no handle, no not-found");
    assert.ok(!isNotFoundError(mapS3Error(sdkError("NoSuchUpload", 404), ctx)), "a vanished upload is not a missing object");
  });

  it("maps access problems to BackendAccessError with exit codes and hints", () => {
    const cases: Array<[Error, string, number]> = [
      [sdkError("NoSuchBucket", 404), "no-bucket", ExitCode.noRepository],
      [sdkError("InvalidAccessKeyId", 403), "auth", ExitCode.accessDenied],
      [sdkError("SignatureDoesNotMatch", 403), "auth", ExitCode.accessDenied],
      [sdkError("ExpiredToken", 400), "auth", ExitCode.accessDenied],
      [sdkError("CredentialsProviderError"), "auth", ExitCode.accessDenied],
      [sdkError("AccessDenied", 403), "denied", ExitCode.accessDenied],
      [sdkError("403", 403), "denied", ExitCode.accessDenied],
      [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }), "unreachable", ExitCode.unreachable],
      [Object.assign(new Error("getaddrinfo ENOTFOUND nope"), { code: "ENOTFOUND" }), "unreachable", ExitCode.unreachable],
      [new Error("socket hang up"), "unreachable", ExitCode.unreachable],
    ];
    for (const [e, problem, exit] of cases) {
      const m = mapS3Error(e, ctx);
      assert.ok(m instanceof BackendAccessError, e.name);
      assert.equal(m.problem, problem, e.message);
      assert.equal(m.exitCode, exit, e.message);
      assert.equal(isS3Permanent(m), problem !== "unreachable", e.message);
      assert.ok(!isNotFoundError(m), e.message);
    }
    const noBucket = mapS3Error(sdkError("NoSuchBucket", 404), ctx) as BackendAccessError;
    assert.equal(noBucket.message, "bucket bkt does not exist at https://s3.example.com");
    assert.match(noBucket.hint ?? "", /lifeboat init/);
    assert.match((mapS3Error(sdkError("InvalidAccessKeyId", 403), ctx) as BackendAccessError).hint ?? "", /profile "x"/);
  });

  it("treats throttling, 5xx, timeouts and damaged transfers as retryable", () => {
    for (const e of [sdkError("SlowDown", 503), sdkError("InternalError", 500), sdkError("RequestTimeout", 400), sdkError("BadDigest", 400), sdkError("TimeoutError"), sdkError("503", 503), sdkError("Throttling", 400)]) {
      const m = mapS3Error(e, ctx);
      assert.ok(!isS3Permanent(m) && !isNotFoundError(m), e.name);
    }
  });

  it("treats other client errors, bad ranges and wrong regions as permanent", () => {
    for (const e of [sdkError("InvalidArgument", 400), sdkError("EntityTooLarge", 400), sdkError("PermanentRedirect", 301), sdkError("MethodNotAllowed", 405)]) {
      assert.ok(isS3Permanent(mapS3Error(e, ctx)), e.name);
    }
    const range = mapS3Error(sdkError("InvalidRange", 416), ctx);
    assert.ok(range instanceof RangeNotSatisfiableError && isS3Permanent(range));
  });
});
