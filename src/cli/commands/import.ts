/** @module cli/commands/import — `lifeboat import ARCHIVE [--target DIR] [--into-repo]`. */
import { shortId } from "../../model/index.ts";
import { importArchive, type ImportResult } from "../../import/import.ts";
import { LifeboatError } from "../../errors/index.ts";
import type { Repository } from "../../repository/repository.ts";
import { parseSize } from "../../ui/size.ts";
import { findAgentConfig } from "../agents.ts";
import { helpText, type Cli } from "../context.ts";
import type { Register } from "./index.ts";

interface ImportFlags {
  target?: string;
  intoRepo?: boolean;
  agent?: string;
  identity?: string;
  passphraseFile?: string;
  verifySha256: boolean;
  maxSize?: string;
  allowOutsideSymlinks?: boolean;
}

export const registerImport: Register = (program, cli) => {
  program.command("import")
    .description("verify an export archive (or an OpenClaw backup) and restore it, or add it to the repository")
    .argument("<archive>", "a .tar.gz / .tar.zst from `lifeboat export`, or a *-openclaw-backup.tar.gz")
    .option("-t, --target <dir>", "the agent's root to restore into (default: the root in the manifest); must be empty where items go")
    .option("--into-repo", "add the archive to the configured repository as an agent snapshot instead of restoring")
    .option("--identity <file>", "age identity file that opens the archive's encrypted secrets")
    .option("--passphrase-file <file>", "file holding the age passphrase of the secrets (or set LIFEBOAT_IMPORT_PASSPHRASE)")
    .option("--agent <name>", "agent name for an OpenClaw archive (default: openclaw)")
    .option("--no-verify-sha256", "accept a lifeboat archive without its .sha256 sidecar")
    .option("--max-size <size>", "refuse archives holding more file bytes than this (default 64GiB)")
    .option("--allow-outside-symlinks", "accept symlinks to absolute paths or outside their item (restored as links, never followed)")
    .addHelpText("after", helpText([
      "lifeboat import lifeboat-wren-20261122T051200Z.tar.gz --target ~/.openclaw --identity ~/.config/lifeboat/export.key",
      "LIFEBOAT_IMPORT_PASSPHRASE=... lifeboat import lifeboat-wren-20261122T051200Z.tar.zst",
      "lifeboat import lifeboat-wren-20261122T051200Z.tar.gz --into-repo --identity key.txt && lifeboat restore latest --agent wren",
      "lifeboat import 2026-04-16T03-00-00.000Z-openclaw-backup.tar.gz --agent wren --target /srv/wren/.openclaw",
    ]))
    .action(async (archive: string, o: ImportFlags) => {
      const run = (intoRepo?: Repository) => importArchive({
        archive, intoRepo, target: o.target, agent: o.agent, requireSha256: o.verifySha256, lockWaitMs: cli.lockWaitMs(), signal: cli.signal,
        keys: { identityFile: o.identity, passphraseFile: o.passphraseFile, passphrase: process.env.LIFEBOAT_IMPORT_PASSPHRASE },
        limits: { ...(o.maxSize ? { maxBytes: sizeArg(o.maxSize) } : {}), allowOutsideLinks: o.allowOutsideSymlinks === true },
        configFor: (name) => findAgentConfig(cli, name), onLine: (line) => cli.print(line),
      });
      const res = o.intoRepo ? await cli.withRepo((repo) => run(repo)) : await run();
      report(cli, archive, res, o.intoRepo === true);
    });
};

function sizeArg(s: string): number {
  try {
    return parseSize(s);
  } catch (err) {
    throw new LifeboatError(`--max-size: ${(err as Error).message}`);
  }
}

function report(cli: Cli, archive: string, res: ImportResult, intoRepo: boolean): void {
  cli.emit({ messageType: "import", archive, format: res.format, agent: res.agent, snapshot: res.snapshot ?? null, target: res.target ?? null, items: res.items, intoRepo, notes: res.notes });
  for (const n of res.notes) cli.print(`note: ${n}`);
  if (intoRepo) {
    cli.print(`added ${archive} as snapshot ${shortId(res.snapshot!)} of agent ${res.agent} (${res.items.length} item(s)); restore it with \`lifeboat restore ${shortId(res.snapshot!)} --agent ${res.agent}\``);
  } else {
    cli.print(`imported agent ${res.agent} from ${archive} into ${res.target} (${res.items.length} item(s), each verified)`);
  }
}
