/**
 * @module bench/cpuprofile-top
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self
 * time, and the most inclusive ("total") time, as a share of all samples.
 *
 *   node_modules/.bin/node bench/cpuprofile-top.ts bench/out/prof-<stamp>/restore/*.cpuprofile [--top 25]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function label(f: CallFrame): string {
  const file = f.url.replace(/^file:\/\//, "").replace(/^.*\/(src|dist|bench)\//, "$1/").replace(/^node:/, "node:");
  const name = f.functionName || "(anonymous)";
  return file ? `${name}  ${file}:${f.lineNumber + 1}` : name;
}

export function summarise(p: Profile, top: number): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Time per sample is the following delta (V8 convention: delta i is the gap before sample i).
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const l = label(n.callFrame);
    self.set(l, (self.get(l) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cl = label(byId.get(cur)!.callFrame);
      if (seen.has(cl)) continue; // recursion counts once
      seen.add(cl);
      incl.set(cl, (incl.get(cl) ?? 0) + us);
    }
  }
  const fmt = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([l, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${l}`).join("\n");
  return `profile: ${(total / 1e6).toFixed(2)} s sampled on the main thread\n\nself time:\n${fmt(self)}\n\ninclusive time:\n${fmt(incl)}\n`;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "25" } } });
  for (const f of positionals) {
    console.log(`== ${f}`);
    console.log(summarise(JSON.parse(readFileSync(f, "utf8")) as Profile, Number(values.top)));
  }
}
