/**
 * @module sources/command
 * Command items: the stdout of a command (e.g. `crontab -l`) stored as a file, streamed
 * with no temporary file. A non-zero exit, a signal or a timeout fails the item, so a
 * half-printed output is never recorded as a good capture.
 */
import { spawn } from "node:child_process";
import type { CommandItem } from "../model/agent.ts";
import { SourceError, type CapturedItem, type CaptureContext, type Source } from "./source.ts";

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export function createCommandSource(item: CommandItem): Source {
  return {
    item,
    async capture(ctx: CaptureContext): Promise<CapturedItem> {
      const child = spawn("/bin/sh", ["-c", item.command], {
        stdio: ["ignore", "pipe", "pipe"], signal: ctx.signal, timeout: item.timeoutMs ?? DEFAULT_TIMEOUT_MS, killSignal: "SIGKILL",
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => { stderr = (stderr + d.toString("utf8")).slice(-4096); });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code, signal) => resolve({ code, signal }));
      });
      exited.catch(() => undefined);
      const saved = await ctx.saveStream(item.filename, child.stdout, { fileClass: item.class });
      const { code, signal } = await exited.catch((err: unknown) => {
        throw new SourceError(item.name, `cannot run "${item.command}": ${(err as Error).message}`, err);
      });
      if (code !== 0) {
        const why = signal ? `was killed (${signal}${signal === "SIGKILL" ? ", timeout?" : ""})` : `exited with code ${code}`;
        const last = stderr.trim().split("\n").at(-1);
        throw new SourceError(item.name, `"${item.command}" ${why}${last ? `: ${last}` : ""}`);
      }
      return {
        nodes: [saved.node],
        manifest: {
          name: item.name, kind: "command", class: item.class, source: item.command, secret: false,
          files: 1, bytes: saved.size, sha256: { [item.filename]: saved.sha256 },
        },
      };
    },
  };
}
