import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { openBackend, parseLocation } from "./registry.ts";

describe("openBackend", () => {
  it("opens local: locations and bare paths with the local backend", async () => {
    assert.equal((await openBackend("local:/srv/repo")).properties.location, "/srv/repo");
    assert.equal((await openBackend("/srv/repo")).properties.location, "/srv/repo");
    assert.equal((await openBackend("rel/repo")).properties.location, path.resolve("rel/repo"));
    assert.equal((await openBackend("./odd:name")).properties.location, path.resolve("odd:name"));
    assert.deepEqual(parseLocation("LOCAL:/x"), { scheme: "local", rest: "/x" });
  });

  it("names the supported schemes for unknown or unimplemented ones", async () => {
    await assert.rejects(openBackend("s3:bucket/repo"), /backend "s3" is not available in this version \(planned: SFTP and S3 repositories\); supported: local:/);
    await assert.rejects(openBackend("sftp:host:/repo"), /"sftp" is not available in this version/);
    await assert.rejects(openBackend("foo:bar"), /backend "foo" is unknown; supported: local:/);
  });

  it("rejects empty locations", async () => {
    await assert.rejects(openBackend(""), /empty repository location/);
    await assert.rejects(openBackend("local:"), /has no path/);
  });
});
