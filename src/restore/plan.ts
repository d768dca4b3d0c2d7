/**
 * @module restore/plan
 * Plans an agent restore from a snapshot's manifest: which items, in which order (secrets,
 * config, databases, then files), and where each goes when the agent moves to another root.
 * Pure: the dry run prints exactly this plan.
 */
import { basename, join, relative, sep } from "node:path";
import { LifeboatError } from "../errors/index.ts";
import { RESTORE_ORDER, type AgentManifest, type ItemManifest } from "../model/agent.ts";

export interface PlannedItem {
  manifest: ItemManifest;
  /** Where the item's file or folder goes; for postgres the database name. */
  dest: string;
  /** Items that lived outside the agent root and were moved under the target. */
  relocated: boolean;
}

export interface PlanOptions {
  /** New agent root; default: the root recorded in the manifest. */
  target?: string | undefined;
  only?: string[] | undefined;
  skip?: string[] | undefined;
}

/** planRestore orders and places the items; it throws for --only/--skip names the snapshot lacks. */
export function planRestore(m: AgentManifest, o: PlanOptions = {}): PlannedItem[] {
  const names = new Set(m.items.map((i) => i.name));
  const unknown = [...(o.only ?? []), ...(o.skip ?? [])].filter((n) => !names.has(n));
  if (unknown.length > 0) {
    throw new LifeboatError(`snapshot of agent ${m.agent} has no item ${unknown.join(", ")}`, { hint: `its items: ${[...names].join(", ")}` });
  }
  const chosen = m.items.filter((i) => (!o.only || o.only.includes(i.name)) && !o.skip?.includes(i.name));
  const rank = (i: ItemManifest) => RESTORE_ORDER.indexOf(i.class) * 10 + (i.kind === "secret" ? 0 : 1);
  return chosen.sort((a, b) => rank(a) - rank(b)).map((i) => place(i, m.root, o.target));
}

function place(i: ItemManifest, root: string, target: string | undefined): PlannedItem {
  if (i.kind === "postgres") return { manifest: i, dest: i.source, relocated: false };
  if (i.kind === "command") {
    // Command output (a crontab, say) has no home in the tree: it is put beside the agent for the user.
    return { manifest: i, dest: join(target ?? root, ".lifeboat-restored", i.name), relocated: true };
  }
  if (!target || target === root) return { manifest: i, dest: i.source, relocated: false };
  const rel = relative(root, i.source);
  if (rel && !rel.startsWith("..") && !rel.startsWith(sep)) return { manifest: i, dest: join(target, rel), relocated: false };
  if (!rel) return { manifest: i, dest: target, relocated: false };
  return { manifest: i, dest: join(target, ".lifeboat-outside-root", i.name, basename(i.source)), relocated: true };
}

/** describePlan renders the plan as lines for --dry-run and logs. */
export function describePlan(plan: PlannedItem[]): string[] {
  return plan.map((p, n) => {
    const what = p.manifest.kind === "postgres" ? `database ${p.dest}` : p.dest;
    const secret = p.manifest.secret ? " (secret, mode 0600)" : "";
    return `${String(n + 1).padStart(2)}. ${p.manifest.name} [${p.manifest.kind}, ${p.manifest.class}] → ${what}${secret}${p.relocated ? " (outside the agent root)" : ""}`;
  });
}
