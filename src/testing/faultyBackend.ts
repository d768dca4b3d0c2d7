/**
 * @module testing/faultyBackend
 * A fault-injecting backend wrapper for tests, after kopia's blobtesting faults:
 *
 *   const f = faultyBackend(base);
 *   f.addFault("save").errorInstead(enospc).repeat(2);
 *   f.addFault("load").corrupt().onlyFor((h) => h.type === "pack").after(3);
 *   f.addFault("load").truncate(100);              // a short read
 *
 * Each call of an operation fires the first matching fault that has not run out. Faults are
 * deterministic (corrupt() always flips the same bit) so a failing test replays exactly.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Backend, FileInfo, FileType, Handle, IoOptions, LoadRange } from "../backends/backend.ts";

/** FaultOp names the backend operation a fault applies to. */
export type FaultOp = "create" | "save" | "load" | "stat" | "list" | "remove";

/** Fault is one injected misbehaviour; configure it with the chainable methods. */
export class Fault {
  error: unknown = undefined;
  corrupts = false;
  truncates = 0;
  sleepMs = 0;
  skip = 0;
  remaining = 1;
  filter: (h: Handle) => boolean = () => true;

  /** errorInstead makes the call reject with `err` without reaching the backend. */
  errorInstead(err: unknown): this {
    this.error = err;
    return this;
  }
  /** corrupt flips one bit (bit 0 of the middle byte) in a loaded result or a saved body. */
  corrupt(): this {
    this.corrupts = true;
    return this;
  }
  /** truncate cuts the last `bytes` off a loaded result: a short read the server did not report. */
  truncate(bytes = 1): this {
    this.truncates = bytes;
    return this;
  }
  /** sleepFor delays the call by `ms` (abortable through the call's signal). */
  sleepFor(ms: number): this {
    this.sleepMs = ms;
    return this;
  }
  /** after lets the first `n` matching calls through untouched. */
  after(n: number): this {
    this.skip = n;
    return this;
  }
  /** repeat makes the fault fire `n` times in total (default 1; Infinity for always). */
  repeat(n: number): this {
    this.remaining = n;
    return this;
  }
  /** onlyFor restricts the fault to calls whose handle matches (list passes `{ type, name: "" }`). */
  onlyFor(pred: (h: Handle) => boolean): this {
    this.filter = pred;
    return this;
  }
}

/** FaultyBackend is a Backend that also takes faults and counts calls. */
export interface FaultyBackend extends Backend {
  addFault(op: FaultOp): Fault;
  /** calls counts the calls of `op` made so far, faulted or not. */
  calls(op: FaultOp): number;
  clearFaults(): void;
}

/** flipBit returns a copy of `data` with one bit flipped; empty data is returned as is. */
export function flipBit(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data); // a copy; Buffer#slice would be a view
  const i = Math.floor(out.length / 2);
  if (out.length > 0) out[i] = out[i]! ^ 0x01;
  return out;
}

/** faultyBackend wraps `base`; with no faults added it behaves exactly like `base`. */
export function faultyBackend(base: Backend): FaultyBackend {
  const faults = new Map<FaultOp, Fault[]>();
  const counts = new Map<FaultOp, number>();

  /** fire picks the fault for this call (if any), applies its delay and error, returns it. */
  async function fire(op: FaultOp, h: Handle, signal?: AbortSignal): Promise<Fault | undefined> {
    counts.set(op, (counts.get(op) ?? 0) + 1);
    const fault = (faults.get(op) ?? []).find((f) => {
      if (f.remaining <= 0 || !f.filter(h)) return false;
      if (f.skip > 0) {
        f.skip--;
        return false;
      }
      return true;
    });
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.sleepMs > 0) await sleep(fault.sleepMs, undefined, { signal });
    if (fault.error !== undefined) throw fault.error;
    return fault;
  }

  async function* list(type: FileType, o?: IoOptions): AsyncGenerator<FileInfo> {
    await fire("list", { type, name: "" }, o?.signal);
    yield* base.list(type, o);
  }

  return {
    properties: base.properties,
    async create(o?: IoOptions) {
      await fire("create", { type: "config", name: "" }, o?.signal);
      await base.create(o);
    },
    async save(h: Handle, body: Uint8Array, o?: IoOptions) {
      const f = await fire("save", h, o?.signal);
      await base.save(h, f?.corrupts ? flipBit(body) : body, o);
    },
    async load(h: Handle, range?: LoadRange, o?: IoOptions) {
      const f = await fire("load", h, o?.signal);
      let data = await base.load(h, range, o);
      if (f?.truncates) data = data.subarray(0, Math.max(0, data.byteLength - f.truncates));
      return f?.corrupts ? flipBit(data) : data;
    },
    async stat(h: Handle, o?: IoOptions) {
      await fire("stat", h, o?.signal);
      return await base.stat(h, o);
    },
    list,
    async remove(h: Handle, o?: IoOptions) {
      await fire("remove", h, o?.signal);
      await base.remove(h, o);
    },
    isNotFound: (err: unknown) => base.isNotFound(err),
    isPermanent: (err: unknown) => base.isPermanent(err),
    close: () => base.close(),
    addFault(op: FaultOp): Fault {
      const f = new Fault();
      faults.set(op, [...(faults.get(op) ?? []), f]);
      return f;
    },
    calls: (op: FaultOp) => counts.get(op) ?? 0,
    clearFaults: () => faults.clear(),
  };
}
