import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { NotifyError } from "./errors.ts";
import { describeSecret, readSecret } from "./secret.ts";

const who = { name: "phone", kind: "telegram", key: "token" } as const;
const failure = (p: Promise<unknown>) => p.then(() => assert.fail("expected a failure"), (e: unknown) => e as NotifyError);

describe("readSecret", () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), "lifeboat-secret-")); });
  after(() => rm(dir, { recursive: true, force: true }));

  it("reads a literal, an environment variable and a file without its trailing newline", async () => {
    assert.equal(await readSecret({ value: "lit" }, who), "lit");
    process.env["LIFEBOAT_TEST_SECRET"] = "from-env";
    try {
      assert.equal(await readSecret({ env: "LIFEBOAT_TEST_SECRET" }, who), "from-env");
    } finally {
      delete process.env["LIFEBOAT_TEST_SECRET"];
    }
    const file = join(dir, "tok");
    await writeFile(file, "123:abc\r\n");
    assert.equal(await readSecret({ file }, who), "123:abc");
    await writeFile(file, "pass with spaces \n\n");
    assert.equal(await readSecret({ file }, who), "pass with spaces \n", "only one newline is the editor's");
  });

  it("reports a missing variable, file or empty value as config, with a fix", async () => {
    const env = await failure(readSecret({ env: "LIFEBOAT_TEST_UNSET_VAR" }, who));
    assert.equal(env.problem, "config");
    assert.equal(env.message, `telegram "phone": token_env LIFEBOAT_TEST_UNSET_VAR is not set: export LIFEBOAT_TEST_UNSET_VAR in lifeboat's environment, or use token_file`);
    const missing = await failure(readSecret({ file: join(dir, "none") }, who));
    assert.equal(missing.problem, "config");
    assert.match(missing.message, /cannot read token_file .*none \(ENOENT\): create it \(chmod 600\)/);
    assert.equal((missing.cause as NodeJS.ErrnoException).code, "ENOENT");
    const empty = join(dir, "empty");
    await writeFile(empty, "\n");
    assert.match((await failure(readSecret({ file: empty }, who))).message, /token_file .* is empty/);
    assert.equal((await failure(readSecret({ value: "" }, who))).problem, "config");
  });

  it("names the error code of a file it cannot read", async () => {
    assert.match((await failure(readSecret({ file: dir }, who))).message, /cannot read token_file .* \(EISDIR\): fix the file/);
  });

  it("stops on an aborted signal", async () => {
    await assert.rejects(readSecret({ value: "x" }, who, AbortSignal.abort()), { name: "AbortError" });
  });

  it("describes where a secret comes from, never what it is", () => {
    assert.equal(describeSecret({ env: "TG" }, "token"), "token_env TG");
    assert.equal(describeSecret({ file: "/etc/pw" }, "password"), "password_file /etc/pw");
    assert.equal(describeSecret({ value: "sekret-TOKEN-123" }, "token"), "token in lifeboat.yaml");
  });
});
