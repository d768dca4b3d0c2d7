import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { openBackend, parseLocation, parseOptionArgs, takeOptions } from "./registry.ts";

describe("openBackend", () => {
  it("opens local: locations and bare paths with the local backend", async () => {
    assert.equal((await openBackend("local:/srv/repo")).properties.location, "/srv/repo");
    assert.equal((await openBackend("/srv/repo")).properties.location, "/srv/repo");
    assert.equal((await openBackend("rel/repo")).properties.location, path.resolve("rel/repo"));
    assert.equal((await openBackend("./odd:name")).properties.location, path.resolve("odd:name"));
    assert.deepEqual(parseLocation("LOCAL:/x"), { scheme: "local", rest: "/x" });
  });

  it("names the supported schemes for an unknown one", async () => {
    await assert.rejects(openBackend("foo:bar"), /backend "foo" is unknown; supported: local:, s3:, sftp: or a plain path/);
  });

  it("rejects empty locations", async () => {
    await assert.rejects(openBackend(""), /empty repository location/);
    await assert.rejects(openBackend("local:"), /has no path/);
  });
});

describe("backend options", () => {
  it("parses -o scheme.key=value, later values winning, and rejects other shapes", () => {
    assert.deepEqual(parseOptionArgs(["sftp.port=2222", "s3.region=eu-west-1", "sftp.port=22", "s3.path-style=a=b"]), {
      "sftp.port": "22", "s3.region": "eu-west-1", "s3.path-style": "a=b",
    });
    for (const bad of ["port=22", "sftp.port", "SFTP.port=1", "=x"]) assert.throws(() => parseOptionArgs([bad]), /is not scheme.key=value/, bad);
  });

  it("gives a backend its own keys and names the known ones for a typo", () => {
    const known = { port: "TCP port", identity: "key file" };
    assert.deepEqual(takeOptions("sftp", { "sftp.port": "2", "s3.region": "x" }, known), { port: "2" });
    assert.throws(() => takeOptions("sftp", { "sftp.prot": "2" }, known), (e: Error & { hint?: string }) => {
      assert.match(e.message, /unknown option sftp.prot/);
      assert.equal(e.hint, "sftp: repositories take sftp.port, sftp.identity");
      return true;
    });
  });
});
