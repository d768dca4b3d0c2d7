/**
 * @module cli/commands/export
 * `lifeboat export [SNAPSHOT] --agent NAME --output DIR`: one agent snapshot as a portable
 * archive (src/export). Works from the repository alone; a lifeboat.yaml is only needed for
 * --backup-first, and lends the runbook the agent's current configuration when present.
 */
import { backupAgent } from "../../backup/agent.ts";
import { LifeboatError } from "../../errors/index.ts";
import { exportAgent, type ArchiveFormat, type ExportResult } from "../../export/index.ts";
import { shortId, type Snapshot } from "../../model/index.ts";
import type { Repository } from "../../repository/repository.ts";
import { formatBytes } from "../../ui/index.ts";
import { agentSnapshot, findAgentConfig, selectAgents } from "../agents.ts";
import { helpText, type Cli } from "../context.ts";
import type { Register } from "./index.ts";

interface ExportFlags {
  agent?: string;
  output?: string;
  skip?: string;
  format: string;
  encryptSecrets?: string;
  passphraseFile?: string;
  plainSecrets?: boolean;
  backupFirst?: boolean;
  hooks: boolean;
}

const list = (s: string | undefined) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : []);

export const registerExport: Register = (program, cli) => {
  program.command("export")
    .description("write an agent snapshot as a portable archive (tar + manifest.json + RUNBOOK.md) restorable without lifeboat")
    .argument("[snapshot]", "snapshot id (a unique prefix) or latest: the agent's newest, not a pre-restore copy", "latest")
    .option("--agent <name>", "the agent to export (required with latest)")
    .option("--output <dir>", "folder to write the archive and its .sha256 into (created if missing; outside the agent)")
    .option("--skip <items>", "leave out these items, comma-separated (e.g. regenerable indexes)")
    .option("--format <format>", "tar.gz or tar.zst", "tar.gz")
    .option("--encrypt-secrets <how>", "age:RECIPIENT (an age1... public key) or passphrase")
    .option("--passphrase-file <file>", "with --encrypt-secrets passphrase: read it from this file (else LIFEBOAT_EXPORT_PASSPHRASE)")
    .option("--plain-secrets", "write secret items unencrypted (warns: anyone with the archive can read them)")
    .option("--backup-first", "take a fresh snapshot of the configured agent (running its hooks) and export that")
    .option("--no-hooks", "with --backup-first: do not run the agent's before/after hooks (Clawdie's --no-snapshot)")
    .addHelpText("after", helpText([
      "lifeboat export --agent wren --output /mnt/usb --encrypt-secrets age:age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
      "LIFEBOAT_EXPORT_PASSPHRASE=... lifeboat export --agent wren --output ~/exports --encrypt-secrets passphrase",
      "lifeboat export 4f2a91c3 --agent andy --output ~/exports --skip memory-index --format tar.zst --plain-secrets",
      "lifeboat export --agent clawdie --output /backup --backup-first --no-hooks --encrypt-secrets age:age1...",
      "cd /mnt/usb && sha256sum -c lifeboat-wren-20261122T051200Z.tar.gz.sha256",
    ]))
    .action(async (ref: string, o: ExportFlags) => runExport(cli, ref, o));
};

async function runExport(cli: Cli, ref: string, o: ExportFlags): Promise<void> {
  if (!o.output) throw new LifeboatError("--output DIR is required: the folder to write the archive into");
  if (o.format !== "tar.gz" && o.format !== "tar.zst") throw new LifeboatError(`--format ${o.format}: expected tar.gz or tar.zst`);
  if (!o.agent && ref === "latest") throw new LifeboatError("--agent NAME is required to export the latest snapshot", { hint: "or give a snapshot id" });
  if (o.backupFirst && ref !== "latest") throw new LifeboatError("--backup-first exports the snapshot it takes: give no SNAPSHOT");
  const format: ArchiveFormat = o.format;
  const fresh = o.backupFirst ? await selectAgents(cli, [o.agent!]) : undefined;
  const config = fresh?.[0] ?? (o.agent ? await findAgentConfig(cli, o.agent).catch(() => undefined) : undefined);
  await cli.withRepo(async (repo) => {
    const taken = fresh?.[0] ? await backupFresh(cli, repo, { ...fresh[0], ...(o.hooks ? {} : { hooks: {} }) }) : undefined;
    const lock = await repo.lock({ exclusive: false, waitMs: cli.lockWaitMs(), signal: cli.signal });
    const progress = cli.progress();
    try {
      const sn = taken ?? await agentSnapshot(repo, ref, o.agent, cli.signal);
      await repo.loadIndex({ signal: cli.signal });
      const res = await exportAgent(repo, sn, {
        output: o.output!, skip: list(o.skip), format, config, signal: cli.signal,
        encryptSecrets: o.encryptSecrets, passphraseFile: o.passphraseFile, plainSecrets: o.plainSecrets,
        onTotal: (bytes) => progress.setTotal(0, bytes),
        onBytes: (n) => progress.update({ bytes: n }),
        onFile: (p) => { progress.update({ files: 1 }); progress.setCurrent(p); },
      });
      progress.done();
      report(cli, sn, res);
    } finally {
      progress.done();
      await lock.release();
    }
  });
}

async function backupFresh(cli: Cli, repo: Repository, agent: Parameters<typeof backupAgent>[1]): Promise<Snapshot> {
  const res = await backupAgent(repo, agent, { lockWaitMs: cli.lockWaitMs(), signal: cli.signal });
  cli.print(`agent ${agent.name}: snapshot ${shortId(res.snapshotId)} saved`);
  for (const e of res.errors) cli.warn(`  unreadable: ${e.path}: ${e.message}`);
  return res.snapshot;
}

function report(cli: Cli, sn: Snapshot, res: ExportResult): void {
  const warnings: string[] = [];
  if (res.plainSecrets) {
    warnings.push("secrets are written UNENCRYPTED (--plain-secrets): anyone who gets this archive can read them");
    process.stderr.write(`warning: ${warnings[0]}\n`);
  }
  cli.emit({
    message_type: "export", agent: sn.agent, snapshot: sn.id, archive: res.archive, sha256: res.sha256, bytes: res.bytes,
    items: res.items, skipped: res.skipped, secretsEncrypted: res.secretsEncrypted, warnings,
  });
  cli.print(`exported agent ${sn.agent} snapshot ${shortId(sn.id!)} (${res.items.length} items, ${formatBytes(res.bytes)}, secrets ${res.secretsEncrypted ? "age-encrypted" : res.plainSecrets ? "PLAIN" : "none"}):`);
  cli.print(`  ${res.archive}`);
  cli.print(`  sha256 ${res.sha256} (in ${res.archive}.sha256; check with sha256sum -c)`);
}
