/**
 * @module cli/commands/notify
 * `lifeboat notify test`: send a test message through every configured notifier (or the
 * ones named) and report what each far side answered, so a broken bot token is found on
 * the day it is configured, not on the day the disk dies.
 */
import { hostname } from "node:os";
import { ExitCode, LifeboatError } from "../../errors/index.ts";
import { createNotifier } from "../../notify/registry.ts";
import { sendAll } from "../../notify/send.ts";
import type { AlertMessage } from "../../notify/types.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";

export const registerNotify: Register = (program, cli, setCode) => {
  const notify = program.command("notify").description("alerts: try the configured notifiers")
    .addHelpText("after", helpText(["lifeboat notify test", "lifeboat notify test --notifier phone"]));
  notify.command("test")
    .description("send a test message through each notifier and report each result")
    .option("--notifier <name>", "only this notifier (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .addHelpText("after", helpText([
      "lifeboat notify test",
      "lifeboat notify test --notifier phone",
      "lifeboat notify test --json | jq '.results[] | select(.ok | not)'",
    ]) + "\n  notify test: 1 when any notifier failed\n")
    .action(async (o: { notifier: string[] }) => {
      const config = await cli.requireConfig();
      const all = config.notify.notifiers;
      if (all.length === 0) throw new LifeboatError(`no notifiers in ${config.path}`, { hint: "add one under notify.notifiers (docs/notify.md)" });
      const unknown = o.notifier.filter((n) => !all.some((x) => x.name === n));
      if (unknown.length > 0) throw new LifeboatError(`no notifier ${unknown.join(", ")} in ${config.path}`, { hint: `configured: ${all.map((x) => x.name).join(", ")}` });
      const chosen = o.notifier.length > 0 ? all.filter((x) => o.notifier.includes(x.name)) : all;
      const msg: AlertMessage = {
        event: "backup_failed", severity: "info", test: true, host: hostname(), time: new Date().toISOString(),
        title: "lifeboat test message", text: "If you can read this, lifeboat can reach you here when a backup fails, goes stale, or an agent drifts.",
      };
      const results = await sendAll(chosen.map((c) => createNotifier(c)), msg, cli.signal);
      cli.emit({ message_type: "notify_test", results });
      for (const r of results) cli.print(r.ok ? `ok      ${r.notifier} (${r.kind}): ${r.detail}` : `FAILED  ${r.error}`);
      if (results.some((r) => !r.ok)) setCode(ExitCode.fatal);
    });
};
