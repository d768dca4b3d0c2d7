/**
 * @module runbook/runbook.test
 * renderRunbook on a fixed manifest and clock: every section, in order; the backup's age;
 * the password warning; shell quoting of an awkward path; the not-covered list; the
 * no-backup-yet runbook; and no secret ever printed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { manifestFromConfig, renderRunbook, RUNBOOK_MARK, SECTIONS } from "./index.ts";
import { ordered } from "./manual.ts";
import { sq } from "./shell.ts";
import { ODD_DIR, sampleAgent, sampleInput } from "./testdata.ts";
import { ageOf, frequencyOf, partOf, spell } from "./words.ts";

/** section returns the text of one "## " section. */
function section(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `section "${title}" present`);
  const next = md.indexOf("\n## ", start + 4);
  return md.slice(start, next < 0 ? undefined : next);
}

describe("renderRunbook", () => {
  const md = renderRunbook(sampleInput());

  it("has every section, in order, under a recognisable title", () => {
    assert.ok(md.startsWith(`${RUNBOOK_MARK}wren\n`));
    const found = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(found, [...SECTIONS]);
  });

  it("is deterministic for a fixed now", () => {
    assert.equal(renderRunbook(sampleInput()), md);
  });

  it("summarises agent, age, repository, password and the one restore command in five lines", () => {
    const s = section(md, SECTIONS[0]);
    assert.equal([...s.matchAll(/^\d\. /gm)].length, 5);
    assert.match(s, /3 hours 12 minutes ago/);
    assert.match(s, /\/mnt\/backup\/wren/);
    assert.match(s, /\/home\/a\/\.config\/lifeboat\/password/);
    assert.match(s, /npx lifeboat restore latest --agent wren/);
  });

  it("maps items to the reader's parts, with sizes and database rows", () => {
    const s = section(md, SECTIONS[1]);
    assert.match(s, /\| identity \| workspace \| files \|/);
    assert.match(s, /\| continuity \| messages \| sqlite \| .* \| 123 rows in 2 tables \|/);
    assert.match(s, /\| secrets \| env \| secret \|/);
    assert.match(s, /\| infrastructure \| crontab \| command \|/);
    assert.match(s, /memory-index: regenerable search index/);
  });

  it("names the newest snapshot in full and says how often backups run, or that it is unknown", () => {
    const s = section(md, SECTIONS[2]);
    assert.match(s, /0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/);
    assert.match(s, /How often:\*\* unknown/);
    assert.match(s, /crontab -e/);
    const times = ["2026-11-21T23:00:00Z", "2026-11-22T00:00:00Z", "2026-11-22T01:00:00Z", "2026-11-22T02:00:00Z"];
    assert.match(section(renderRunbook(sampleInput({ recentTimes: times })), SECTIONS[2]), /about every 1 hour/);
  });

  it("warns when the password file is local, and never prints a password", () => {
    const s = section(md, SECTIONS[3]);
    assert.match(s, /> \*\*WARNING: if `\/home\/a\/\.config\/lifeboat\/password` on `box` is the only copy/);
    const env = renderRunbook(sampleInput({ repository: { location: "s3:https://u:hunter2@s3.example/b", passwordFrom: "the LIFEBOAT_PASSWORD environment variable" } }));
    assert.doesNotMatch(env, /WARNING: if/);
    assert.doesNotMatch(env, /hunter2/);
    assert.match(env, /LIFEBOAT_PASSWORD environment variable/);
  });

  it("gives the lifeboat restore commands in order", () => {
    const s = section(md, SECTIONS[4]);
    const order = ["npm install -g lifeboat", "export LIFEBOAT_REPOSITORY=", "export LIFEBOAT_PASSWORD_FILE=",
      "lifeboat snapshots --agent", "--dry-run", "lifeboat restore latest --agent 'wren'\n", "lifeboat doctor"];
    const at = order.map((c) => s.indexOf(c));
    assert.ok(at.every((i) => i >= 0), `all present: ${at}`);
    assert.deepEqual([...at].sort((a, b) => a - b), at);
    assert.match(s, /systemctl --user stop openclaw/);
  });

  it("quotes a path with a space and a single quote so sh reads it back exactly", () => {
    assert.equal(sq(ODD_DIR), `'/home/a/.openclaw/work space'\\''s'`);
    const s = section(md, SECTIONS[5]);
    assert.ok(s.includes(`cp -a 'items/workspace/.' "$RESTORE_ROOT"${sq(`${ODD_DIR}/`)}`));
  });

  it("restores by hand in restore order: secrets, config, databases, files", () => {
    const names = ordered(sampleInput().manifest.items).map((i) => i.name);
    assert.deepEqual(names, ["env", "config", "messages", "memory-db", "workspace", "crontab"]);
    const s = section(md, SECTIONS[5]);
    const at = names.map((n) => s.indexOf(`# ${names.indexOf(n) + 4}. ${n} (`));
    assert.ok(at.every((i) => i >= 0));
    assert.deepEqual([...at].sort((a, b) => a - b), at);
    assert.match(s, /decrypt 'items\/env\/\.env\.age' "\$RESTORE_ROOT"'\/home\/a\/\.openclaw\/\.env'/);
    assert.match(s, /psql -X -q -v ON_ERROR_STOP=1 -d "\$DB_memory_db" -f 'items\/memory-db\/memory_db\.sql'/);
    assert.match(s, /PRAGMA integrity_check/);
  });

  it("copies plain secrets instead of decrypting when the export kept them plain", () => {
    const s = section(renderRunbook(sampleInput({ archive: { baseName: "lifeboat-wren-x", secretsEncrypted: false } })), SECTIONS[5]);
    assert.match(s, /cp 'items\/env\/\.env' "\$RESTORE_ROOT"'\/home\/a\/\.openclaw\/\.env'/);
    assert.match(s, /TOP='lifeboat-wren-x'/);
    assert.doesNotMatch(s, /^decrypt /m);
  });

  it("shows how to check the restore: hashes, integrity, row counts, doctor", () => {
    const s = section(md, SECTIONS[6]);
    for (const re of [/sha256sum -c/, /PRAGMA integrity_check/, /messages: chats: 3, messages: 120/, /lifeboat doctor --agent wren/, /expect 5/]) assert.match(s, re);
  });

  it("lists what is not covered: the backup's notes, the preset's, and the standard gaps with what to do", () => {
    const s = section(md, SECTIONS[7]);
    for (const re of [/skills-db/, /telegram pairing/, /SSL\/TLS certificates/, /Tailnet/, /SSH keys/, /crontab, systemd/, /password \(or key\) itself/]) assert.match(s, re);
    assert.ok((s.match(/What to do:/g) ?? []).length >= 6);
  });

  it("says plainly when no backup exists yet, and how to make one", () => {
    const agent = { ...sampleAgent(), items: [{ name: "env", kind: "secret" as const, class: "secret" as const, path: "/home/a/.openclaw/.env" }] };
    const nb = renderRunbook({ agent, manifest: manifestFromConfig(agent, "box", "2026-11-22T05:12:00Z"), snapshot: { id: "", time: "2026-11-22T05:12:00Z" }, noBackupYet: true, now: new Date("2026-11-22T05:12:00Z") });
    assert.match(section(nb, SECTIONS[0]), /NO BACKUP EXISTS YET/);
    assert.match(nb, /lifeboat backup --agent wren/);
    assert.doesNotMatch(nb, /manual-restore/);
    assert.match(nb, /\| secrets \| env \| secret \| .* \| not backed up yet \|/);
  });
});

describe("runbook words", () => {
  it("spells ages in at most two adjacent units", () => {
    assert.equal(spell(30_000), "under a minute");
    assert.equal(spell(3 * 3_600_000 + 12 * 60_000), "3 hours 12 minutes");
    assert.equal(spell(2 * 86_400_000 + 13 * 60_000), "2 days");
    assert.equal(ageOf("2026-11-22T06:00:00Z", new Date("2026-11-22T05:00:00Z")), "1 hour in the future (check this machine's clock)");
  });

  it("estimates frequency only from three or more backups", () => {
    assert.equal(frequencyOf(["2026-11-22T00:00:00Z", "2026-11-22T01:00:00Z"]), null);
    assert.match(frequencyOf(["2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"]) ?? "", /about every 1 day/);
  });

  it("maps every class to a part", () => {
    assert.equal(partOf("transcripts", "files"), "relationships");
    assert.equal(partOf("database", "sqlite"), "continuity");
    assert.equal(partOf("state", "files"), "continuity");
    assert.equal(partOf("config", "files"), "infrastructure");
    assert.equal(partOf("memory", "command"), "infrastructure");
  });
});
