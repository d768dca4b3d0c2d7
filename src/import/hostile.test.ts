/**
 * @module import/hostile.test
 * Hostile archives: each one is refused with a message naming the entry, nothing appears
 * outside the target, and nothing at all appears in the target.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { importArchive } from "./import.ts";
import type { ReadStats } from "./reader.ts";
import { scanArchive } from "./scan.ts";
import { DEFAULT_LIMITS } from "./reader.ts";
import { sha256, writeExport, writeTar, type TarEntry } from "./testkit.ts";

const TOP = "lifeboat-evil-20261122T051200Z";
const ROOT = "/srv/evil/.agent";

/** manifest lists one files item `notes` holding a.md; hostile entries are added around it. */
function manifest(extra: Record<string, unknown> = {}, sums: Record<string, string> = { "a.md": sha256("hello\n") }): string {
  return JSON.stringify({
    format: "lifeboat-export", version: 1, agent: "evil", preset: "custom", root: ROOT, host: "h", time: "2026-11-22T05:12:00.000Z",
    exportedAt: "2026-11-22T05:12:00.000Z", snapshot: "x", tool: "t", skipped: [], notCovered: [],
    items: [{ name: "notes", kind: "files", class: "memory", source: `${ROOT}/notes`, path: "items/notes", files: Object.keys(sums).length, bytes: 6, sha256: sums, secret: false, encryption: "none" }],
    ...extra,
  });
}

const base = (): TarEntry[] => [
  { name: `${TOP}/`, type: "directory" },
  { name: `${TOP}/manifest.json`, content: manifest() },
  { name: `${TOP}/items/notes/a.md`, content: "hello\n" },
];

describe("import refuses hostile archives", () => {
  let dir: string;
  let target: string;
  let n = 0;

  before(async () => { dir = await mkdtemp(join(tmpdir(), "lifeboat-hostile-")); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  async function refuse(entries: TarEntry[], pattern: RegExp): Promise<void> {
    const archive = join(dir, `a${n++}.tar.gz`);
    target = join(dir, `target${n}`, "deep");
    await mkdir(target, { recursive: true });
    await writeTar(archive, entries);
    await assert.rejects(importArchive({ archive, target, keys: {}, requireSha256: false }), (err: Error) => {
      assert.match(err.message, pattern);
      return true;
    });
    assert.deepEqual(await readdir(target), [], "nothing in the target");
    const siblings = (await readdir(dir)).filter((f) => !/^(a\d+\.tar\.gz|target\d+)$/.test(f));
    assert.deepEqual(siblings, [], "nothing outside the target");
    assert.deepEqual(await readdir(join(dir, `target${n}`)), ["deep"]);
  }

  it("accepts the well-formed base archive", async () => {
    const archive = join(dir, "good.tar.gz");
    await writeTar(archive, base());
    const s = await scanArchive(archive, { limits: DEFAULT_LIMITS });
    assert.equal(s.plan.agent, "evil");
    assert.equal(s.layouts[0]!.single, null);
    await rm(archive);
  });

  it("../evil", () => refuse([...base(), { name: "../evil", content: "x" }], /entry '\.\.\/evil' has an absolute path|entry '\.\.\/evil' has a '\.\.' segment/));
  it("/etc/passwd", () => refuse([...base(), { name: "/etc/passwd", content: "x" }], /entry '\/etc\/passwd' has an absolute path/));
  it("a .. segment deep inside", () => refuse([...base(), { name: `${TOP}/items/notes/../../../evil`, content: "x" }], /entry '.*\/\.\.\/\.\.\/\.\.\/evil' has a '\.\.' segment/));
  it("a symlink to /etc, then a file through it", () => refuse([...base(),
    { name: `${TOP}/items/notes/etc`, type: "symlink", linkname: "/etc" }, { name: `${TOP}/items/notes/etc/passwd`, content: "x" }],
  /entry '.*items\/notes\/etc' is a symlink to the absolute path '\/etc'/));
  it("a relative symlink leaving the archive", () => refuse([...base(), { name: `${TOP}/items/notes/up`, type: "symlink", linkname: "../../../../x" }], /entry '.*items\/notes\/up' is a symlink pointing outside the archive/));
  it("a file through a symlink that stays inside", () => refuse([...base(),
    { name: `${TOP}/items/notes/sub`, type: "symlink", linkname: "." }, { name: `${TOP}/items/notes/sub/b.md`, content: "x" }],
  /entry '.*items\/notes\/sub\/b\.md' passes through the symlink 'items\/notes\/sub'/));
  it("a symlink to another item", () => refuse([...base(), { name: `${TOP}/items/notes/m`, type: "symlink", linkname: "../../manifest.json" }], /entry 'items\/notes\/m' is a symlink pointing outside its item notes/));
  it("a hard link to outside", () => refuse([...base(), { name: `${TOP}/items/notes/h`, type: "link", linkname: "/etc/shadow" }], /entry '.*items\/notes\/h' is a hard link/));
  it("a character device", () => refuse([...base(), { name: `${TOP}/items/notes/tty`, type: "character-device" }], /entry '.*items\/notes\/tty' is a character device/));
  it("a fifo", () => refuse([...base(), { name: `${TOP}/items/notes/p`, type: "fifo" }], /entry '.*items\/notes\/p' is a fifo/));
  it("duplicate entries", () => refuse([...base(), { name: `${TOP}/items/notes/a.md`, content: "evil\n" }], /entry '.*items\/notes\/a\.md' appears twice/));
  it("a file listed with a wrong sha256", () => refuse([base()[0]!, { name: `${TOP}/manifest.json`, content: manifest({}, { "a.md": sha256("other") }) }, base()[2]!],
    /manifest disagrees with the content: entry 'items\/notes\/a\.md' has sha256/));
  it("a file not in the manifest", () => refuse([...base(), { name: `${TOP}/items/notes/extra.md`, content: "x" }], /manifest disagrees with the content: entry 'items\/notes\/extra\.md' is not in the manifest/));
  it("a file outside every item", () => refuse([...base(), { name: `${TOP}/evil.sh`, content: "x" }], /entry 'evil\.sh' is not in the manifest/));
  it("a listed file that is missing", () => refuse([base()[0]!, base()[1]!], /lists 'items\/notes\/a\.md', which the archive does not hold/));
  it("no top folder", () => refuse([{ name: "manifest.json", content: manifest() }, { name: "items/notes/a.md", content: "hello\n" }], /entry 'manifest\.json' is outside a top folder/));
  it("two top folders", () => refuse([...base(), { name: "other/x", content: "x" }], /entry 'other\/x' is outside the archive's top folder/));
  it("a NUL in a name", () => refuse([...base(), { name: `${TOP}/items/notes/a\0b`, content: "x" }], /NUL|not in the manifest/));
  it("no manifest", () => refuse([base()[0]!, base()[2]!], /no manifest\.json/));

  it("a decompression bomb is stopped at its header, before it inflates", async () => {
    const archive = join(dir, "bomb.tar.gz");
    await writeTar(archive, [...base().slice(0, 2), { name: `${TOP}/items/notes/a.md`, zeros: 256 * 1024 * 1024 }]);
    const stats: ReadStats = { compressed: 0, inflated: 0, fileBytes: 0, entries: 0 };
    const { readArchive } = await import("./reader.ts");
    await assert.rejects(readArchive(archive, async () => undefined, { limits: { ...DEFAULT_LIMITS, maxBytes: 64 * 1024 * 1024 }, stats }),
      /entry '.*items\/notes\/a\.md' declares 268435456 bytes, beyond the archive's limit/);
    assert.ok(stats.inflated < 8 * 1024 * 1024, `inflated only ${stats.inflated} bytes`);
    // Through import, the manifest's own sizes are the limit.
    await rm(archive);
    await refuse([...base().slice(0, 2), { name: `${TOP}/items/notes/a.md`, zeros: 256 * 1024 * 1024 }], /declares 268435456 bytes, beyond the archive's limit/);
  });

  it("a bomb of many small entries trips the ratio cap", async () => {
    const archive = join(dir, "ratio.tar.gz");
    const zeros: TarEntry[] = Array.from({ length: 40 }, (_, i) => ({ name: `${TOP}/z${i}`, zeros: 4 * 1024 * 1024 }));
    await writeTar(archive, [base()[0]!, ...zeros]);
    const stats: ReadStats = { compressed: 0, inflated: 0, fileBytes: 0, entries: 0 };
    const { readArchive } = await import("./reader.ts");
    await assert.rejects(readArchive(archive, async () => undefined, { limits: { ...DEFAULT_LIMITS, maxRatio: 100, ratioFloor: 16 * 1024 * 1024 }, stats }), /decompression bomb/);
    assert.ok(stats.inflated < 64 * 1024 * 1024, `stopped after ${stats.inflated} bytes`);
    await rm(archive);
  });

  it("refuses an archive whose .sha256 sidecar does not match", async () => {
    const archive = join(dir, "lifeboat-evil-20261122T051200Z.tar.gz");
    await writeExport(archive, { agent: "evil", root: ROOT, items: [{ name: "notes", kind: "files", class: "memory", source: `${ROOT}/notes`, files: { "a.md": "hi" } }] });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(`${archive}.sha256`, `${"0".repeat(64)}  x\n`);
    await assert.rejects(importArchive({ archive, target: join(dir, "t"), keys: {} }), /does not match .*\.sha256/);
    await rm(`${archive}.sha256`);
    await assert.rejects(importArchive({ archive, target: join(dir, "t"), keys: {} }), /\.sha256 is missing/);
    await rm(archive);
  });
});
