import assert from "node:assert/strict";
import { copyFile, readFile, utimes } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { assertGolden, countKeys, snapshot, sync, TESTDATA, tempDir } from "./_golden.ts";
import { telegramExportSource } from "./telegram-export.ts";

describe("Telegram Desktop export", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ dir, cleanup } = await tempDir("tgexport"));
  });
  after(() => cleanup());

  test("a single-chat export: entities, service messages, media, replies, forwards, edits", async () => {
    const src = telegramExportSource({ path: join(TESTDATA, "telegram-single.json"), memoryDir: join(dir, "single") });
    const r = await sync(dir, [src]);
    assert.equal(r.sources[0]!.error, undefined);
    assert.equal(r.written, 9);
    await assertGolden(await readFile(join(dir, "single", "telegram-2026-11-21.md"), "utf8"), "telegram-single-2026-11-21.md");
    await assertGolden(await readFile(join(dir, "single", "telegram-2026-11-22.md"), "utf8"), "telegram-single-2026-11-22.md");
    const before = await snapshot(join(dir, "single"));
    assert.equal((await sync(dir, [src])).written, 0);
    assert.deepEqual(await snapshot(join(dir, "single")), before);
  });

  test("a full export: every chat, left chats too; unsupported messages counted, not written", async () => {
    const src = telegramExportSource({ path: join(TESTDATA, "telegram-full.json"), memoryDir: join(dir, "full") });
    const r = await sync(dir, [src]);
    assert.equal(r.written, 5);
    assert.equal(r.sources[0]!.unreadable, 1);
    await assertGolden(await readFile(join(dir, "full", "telegram-2026-11-21.md"), "utf8"), "telegram-full-2026-11-21.md");
  });

  test("a newer export at the same path adds only what is new; a lost cursor writes nothing twice", async () => {
    const path = join(dir, "result.json");
    await copyFile(join(TESTDATA, "telegram-single.json"), path);
    const src = telegramExportSource({ path, memoryDir: join(dir, "again") });
    assert.equal((await sync(dir, [src])).written, 9);
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    const crash = await sync(dir, [src], { stateDir: join(dir, "fresh-state") });
    assert.equal(crash.written, 0, "no cursor at all: every key is found in the day files");
    assert.equal(crash.sources[0]!.present, 9);
    const text = await readFile(join(dir, "again", "telegram-2026-11-21.md"), "utf8");
    assert.equal(countKeys(text, "telegram-export:1234567890/2"), 1);
  });

  test("not an export: a clear error, the run goes on", async () => {
    const src = telegramExportSource({ path: join(TESTDATA, "openclaw-session.jsonl"), memoryDir: join(dir, "bad") });
    const r = await sync(dir, [src]);
    assert.match(r.sources[0]!.error ?? "", /^read Telegram export .*openclaw-session\.jsonl/);
  });
});
