/**
 * @module export
 * `lifeboat export`: one agent snapshot as a portable archive (layout in format.ts) that a
 * person can restore with tar, sqlite3, psql and age. Everything that can fail cheaply
 * (flags, the output folder, trees, secrets) is checked before a byte is written; then the
 * archive streams from the repository into `.<name>.partial` and is published, with its
 * `.sha256`, only when complete.
 */
import { LifeboatError } from "../errors/index.ts";
import type { AgentConfig } from "../model/agent.ts";
import type { Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { renderRunbook } from "../runbook/index.ts";
import { archiveBaseName } from "./format.ts";
import { buildManifest, selectItems, sha256Line } from "./manifest.ts";
import { checkOutsideTree, discard, openOutput, publish, writeNew } from "./output.ts";
import { planItem, type PlannedItem } from "./plan.ts";
import { secretMode, type SecretFlags } from "./secrets.ts";
import { TarWriter, type ArchiveFormat } from "./tar.ts";
import { writeItem } from "./write.ts";

export type { ArchiveFormat } from "./tar.ts";

export interface ExportOptions extends SecretFlags {
  output: string;
  skip?: string[];
  format?: ArchiveFormat;
  /** The agent as configured now, if a lifeboat.yaml names it (for the runbook). */
  config?: AgentConfig | undefined;
  now?: Date;
  signal?: AbortSignal | undefined;
  /** Called once the total is known, then with every chunk of file content written. */
  onTotal?(bytes: number): void;
  onBytes?(n: number): void;
  onFile?(path: string): void;
}

export interface ExportResult {
  archive: string;
  sha256: string;
  bytes: number;
  items: string[];
  skipped: { name: string; reason: string }[];
  secretsEncrypted: boolean;
  /** True when the archive holds secret items in plain text (--plain-secrets). */
  plainSecrets: boolean;
}

export async function exportAgent(repo: Repository, sn: Snapshot, o: ExportOptions): Promise<ExportResult> {
  const full = sn.manifest;
  if (!full || !sn.id) throw new LifeboatError(`snapshot ${sn.id?.slice(0, 8) ?? "?"} is not an agent snapshot`, { hint: "export needs a snapshot taken with `lifeboat backup --agent`" });
  const m = selectItems(full, o.skip ?? []);
  const hasSecrets = m.items.some((i) => i.secret);
  const secrets = await secretMode(o, hasSecrets, o.signal);
  await checkOutsideTree(o.output, full);
  const format = o.format ?? "tar.gz";
  const top = archiveBaseName(m.agent, m.time);
  const name = `${top}.${format}`;
  const planned: PlannedItem[] = [];
  for (const item of m.items) planned.push(await planItem(repo, sn.tree, item, secrets, o.signal));
  const encrypted = hasSecrets && secrets.kind === "age";
  const manifest = buildManifest(m, sn.id, planned.map((p) => p.item), o.now ?? new Date());
  const runbook = renderRunbook({ manifest: m, snapshot: { id: sn.id, time: m.time }, agent: o.config, archive: { baseName: top, secretsEncrypted: encrypted } });
  o.onTotal?.(planned.reduce((n, p) => n + p.entries.reduce((k, e) => k + (e.cipher ? 0 : e.node.type === "file" ? e.node.size : 0), 0), 0));

  const out = await openOutput(o.output, name);
  const tar = new TarWriter(out.fh, format, o.signal);
  let result;
  try {
    const when = new Date(m.time);
    await tar.dir({ name: top, mode: 0o700, mtime: when });
    await tar.buffer({ name: `${top}/manifest.json`, mode: 0o600, mtime: when }, Buffer.from(JSON.stringify(manifest, null, 2) + "\n"));
    await tar.buffer({ name: `${top}/RUNBOOK.md`, mode: 0o600, mtime: when }, Buffer.from(runbook));
    await tar.dir({ name: `${top}/items`, mode: 0o700, mtime: when });
    for (const p of planned) await writeItem(repo, tar, top, p, o);
    result = await tar.finish();
    await publish(out);
  } catch (err) {
    await tar.abort(err instanceof Error ? err : new Error(String(err)));
    await discard(out);
    throw err;
  }
  await writeNew(`${out.final}.sha256`, sha256Line(result.sha256, name));
  return {
    archive: out.final, sha256: result.sha256, bytes: result.bytes, items: m.items.map((i) => i.name), skipped: m.skipped,
    secretsEncrypted: encrypted, plainSecrets: hasSecrets && !encrypted,
  };
}
