/**
 * @module runbook/testdata
 * A fixed agent manifest for the runbook's tests: one item of every kind, a folder whose
 * path holds a space and a single quote, a skipped item and a preset note.
 */
import type { AgentConfig, AgentManifest } from "../model/agent.ts";
import type { RunbookInput } from "./index.ts";

const h = (c: string) => c.repeat(64);

export const ODD_DIR = "/home/a/.openclaw/work space's";

export function sampleManifest(root = "/home/a/.openclaw", hashes: Record<string, string> = {}): AgentManifest {
  const dir = root === "/home/a/.openclaw" ? ODD_DIR : `${root}/work space's`;
  return {
    version: 1, agent: "wren", preset: "openclaw", root, host: "box", time: "2026-11-22T02:00:00.000Z",
    items: [
      { name: "workspace", kind: "files", class: "identity", source: dir, secret: false, files: 2, bytes: 300,
        sha256: { "SOUL.md": hashes["SOUL.md"] ?? h("a"), "memory/2026-11-21.md": hashes["memory/2026-11-21.md"] ?? h("b") } },
      { name: "messages", kind: "sqlite", class: "database", source: `${root}/messages.db`, secret: false, files: 1, bytes: 8192,
        sha256: { "messages.db": hashes["messages.db"] ?? h("c") }, rowCounts: { chats: 3, messages: 120 } },
      { name: "env", kind: "secret", class: "secret", source: `${root}/.env`, secret: true, files: 1, bytes: 40,
        sha256: { ".env": hashes[".env"] ?? h("d") } },
      { name: "memory-db", kind: "postgres", class: "database", source: "memory_db", secret: false, files: 1, bytes: 999,
        sha256: { "memory_db.sql": h("e") }, rowCounts: { "public.notes": 5 } },
      { name: "crontab", kind: "command", class: "other", source: "crontab -l", secret: false, files: 1, bytes: 10,
        sha256: { "crontab.txt": hashes["crontab.txt"] ?? h("f") } },
      { name: "config", kind: "files", class: "config", source: `${root}/openclaw.json`, secret: false, files: 1, bytes: 20,
        sha256: { "openclaw.json": hashes["openclaw.json"] ?? h("1") } },
    ],
    skipped: [{ name: "memory-index", reason: "regenerable search index" }],
    notCovered: ["skills-db (PostgreSQL skills_db): regenerable, skipped by default"],
  };
}

export function sampleAgent(): AgentConfig {
  return {
    name: "wren", preset: "openclaw", root: "/home/a/.openclaw", items: [], skip: [], hooks: {}, pidFiles: [],
    stop: "systemctl --user stop openclaw", notCovered: ["telegram pairing: pair the bot again"],
  };
}

export function sampleInput(over: Partial<RunbookInput> = {}): RunbookInput {
  return {
    manifest: sampleManifest(),
    snapshot: { id: "0123456789abcdef".repeat(4), time: "2026-11-22T02:00:00.000Z" },
    repository: { location: "/mnt/backup/wren", passwordFile: "/home/a/.config/lifeboat/password" },
    agent: sampleAgent(),
    now: new Date("2026-11-22T05:12:00Z"),
    ...over,
  };
}
