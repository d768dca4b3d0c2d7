/**
 * @module cli/commands
 * One file per command; each registers itself on the program. Order here is the order
 * in `lifeboat --help`.
 */
import type { Command } from "commander";
import type { Cli } from "../context.ts";
import { registerInit } from "./init.ts";
import { registerBackup } from "./backup.ts";
import { registerSnapshots } from "./snapshots.ts";
import { registerLs } from "./ls.ts";
import { registerRestore } from "./restore.ts";
import { registerDiff } from "./diff.ts";
import { registerCheck } from "./check.ts";
import { registerForget } from "./forget.ts";
import { registerPrune } from "./prune.ts";
import { registerUnlock } from "./unlock.ts";
import { registerKey } from "./key.ts";
import { registerStats } from "./stats.ts";
import { registerRepair } from "./repair.ts";
import { registerDemo } from "./demo.ts";
import { registerAgent } from "./agent.ts";
import { registerDoctor } from "./doctor.ts";
import { registerExport } from "./export.ts";
import { registerImport } from "./import.ts";
import { registerRunbook } from "./runbook.ts";
import { registerTranscripts } from "./transcripts.ts";
import { registerStatus } from "./status.ts";
import { registerNotify } from "./notify.ts";
import { registerDrift } from "./drift.ts";
import { registerState } from "./state.ts";
import { registerWatch } from "./watch.ts";
import { registerDaemon } from "./daemon.ts";
import { registerSchedule } from "./schedule.ts";
import { registerDrill } from "./drill.ts";

/** SetCode lets a command finish with a non-zero exit code without throwing (e.g. 3). */
export type SetCode = (code: number) => void;
export type Register = (program: Command, cli: Cli, setCode: SetCode) => void;

export function registerCommands(program: Command, cli: Cli, setCode: SetCode): void {
  for (const r of [registerInit, registerBackup, registerSnapshots, registerLs, registerRestore, registerDiff,
    registerWatch, registerState,
    registerStatus, registerDaemon, registerSchedule, registerDrift, registerDrill, registerDoctor, registerNotify, registerExport, registerImport, registerRunbook, registerTranscripts,
    registerCheck, registerForget, registerPrune, registerUnlock, registerKey, registerStats, registerRepair, registerAgent, registerDemo]) {
    r(program, cli, setCode);
  }
}
