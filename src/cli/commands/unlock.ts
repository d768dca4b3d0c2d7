/** @module cli/commands/unlock — `lifeboat unlock`: remove stale locks. */
import { lockTimings, listLocks } from "../../repository/lock.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";

export const registerUnlock: Register = (program, cli) => {
  program.command("unlock")
    .description("remove stale locks (dead process on this host, or not refreshed for 30 minutes)")
    .option("--remove-all", "remove every lock, even live ones (only when you know no lifeboat is running)")
    .addHelpText("after", helpText(["lifeboat unlock", "lifeboat unlock --remove-all"]))
    .action(async (o: { removeAll?: boolean }) => {
      await cli.withRepo(async (repo) => {
        const locks = await listLocks(repo.backend, repo.key.data, lockTimings(), cli.signal);
        const removed: string[] = [];
        for (const l of locks) {
          if (!l.stale && !o.removeAll) continue;
          await repo.backend.remove({ type: "lock", name: l.name }, { signal: cli.signal });
          removed.push(l.name);
        }
        const kept = locks.filter((l) => !removed.includes(l.name));
        cli.emit({ message_type: "summary", removed, kept: kept.map((l) => ({ name: l.name, ...l.info })) });
        cli.print(`removed ${removed.length} lock(s)`);
        for (const l of kept) cli.print(`kept live lock ${l.name.slice(0, 8)}: pid ${l.info?.pid} on ${l.info?.host} (use --remove-all to remove it)`);
      });
    });
};
