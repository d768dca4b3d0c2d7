/**
 * @module backends/s3/location.test
 * Location and option parsing: the forms docs/s3.md promises, and the mistakes it refuses.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LifeboatError } from "../../errors/index.ts";
import { objectKey, parseS3Location } from "./location.ts";

const noEnv = {};

describe("s3 location", () => {
  it("parses AWS bucket/prefix with virtual-hosted addressing and the env region", () => {
    const s = parseS3Location("my-bucket/agents/prod", {}, { AWS_REGION: "eu-west-1" });
    assert.equal(s.endpoint, undefined);
    assert.equal(s.bucket, "my-bucket");
    assert.equal(s.prefix, "agents/prod");
    assert.equal(s.region, "eu-west-1");
    assert.equal(s.forcePathStyle, false);
    assert.equal(s.display, "s3:my-bucket/agents/prod");
    assert.equal(parseS3Location("my-bucket", {}, noEnv).region, undefined, "left to the SDK's profile lookup");
  });

  it("parses a custom endpoint with path-style addressing and a default region", () => {
    const s = parseS3Location("https://acct.r2.cloudflarestorage.com/backups/lifeboat/", {}, noEnv);
    assert.equal(s.endpoint, "https://acct.r2.cloudflarestorage.com");
    assert.deepEqual([s.bucket, s.prefix, s.region, s.forcePathStyle], ["backups", "lifeboat", "us-east-1", true]);
    assert.equal(s.display, "s3:https://acct.r2.cloudflarestorage.com/backups/lifeboat");
    const root = parseS3Location("http://127.0.0.1:9000/bucket", {}, noEnv);
    assert.deepEqual([root.endpoint, root.bucket, root.prefix], ["http://127.0.0.1:9000", "bucket", ""]);
  });

  it("reads the s3.* options and ignores other schemes'", () => {
    const s = parseS3Location(
      "https://s3.example.com/b-1/p",
      { "s3.region": "auto", "s3.path-style": "false", "s3.profile": "backup", "s3.connections": "12", "s3.part-size": "16MiB", "s3.storage-class": "STANDARD_IA", "sftp.port": "22" },
      { AWS_REGION: "ignored" },
    );
    assert.deepEqual(
      [s.region, s.forcePathStyle, s.profile, s.connections, s.partSize, s.storageClass],
      ["auto", false, "backup", 12, 16 << 20, "STANDARD_IA"],
    );
    assert.equal(parseS3Location("bkt", {}, noEnv).connections, 5);
    assert.equal(parseS3Location("bkt", {}, noEnv).partSize, 8 << 20);
  });

  it("rejects bad locations and options with a LifeboatError", () => {
    const bad: Array<[string, Record<string, string>]> = [
      ["", {}],
      ["UPPER/x", {}],
      ["ab", {}],
      ["https://key:secret@s3.example.com/bucket", {}],
      ["http://s3.example.com/bucket", {}],
      ["https://s3.example.com/", {}],
      ["https://s3.example.com/bucket?x=1", {}],
      ["bucket", { "s3.regoin": "x" }],
      ["bucket", { "s3.part-size": "1MiB" }],
      ["bucket", { "s3.part-size": "lots" }],
      ["bucket", { "s3.connections": "0" }],
      ["bucket", { "s3.path-style": "yes" }],
    ];
    for (const [rest, opts] of bad) assert.throws(() => parseS3Location(rest, opts, noEnv), LifeboatError, `${rest} ${JSON.stringify(opts)}`);
    const err = (() => {
      try {
        parseS3Location("https://key:secret@s3.example.com/bucket", {}, noEnv);
      } catch (e) {
        return e as Error;
      }
    })();
    assert.ok(err && !err.message.includes("secret"), "credentials never appear in messages");
    assert.equal(parseS3Location("http://s3.lan/bucket", { "s3.allow-http": "true" }, noEnv).endpoint, "http://s3.lan");
  });

  it("joins keys below the prefix", () => {
    assert.equal(objectKey("", ["config"]), "config");
    assert.equal(objectKey("a/b", ["data", "ab", "abcd"]), "a/b/data/ab/abcd");
  });
});
