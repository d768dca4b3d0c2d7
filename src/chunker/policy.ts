/**
 * @module chunker/policy
 * Which chunker a file gets, and how to rebuild a chunker from the spec a snapshot
 * recorded. The policy is the one place that maps file size and class to a chunking
 * strategy (README.md in this folder explains the choices).
 */
import type { ChunkerSpec } from "../model/index.ts";
import type { Chunker, ChunkerPolicy } from "./chunker.ts";
import { createFastCdc, FASTCDC_DEFAULTS, type FastCdcSizes } from "./fastcdc.ts";
import { createFixedChunker } from "./fixed.ts";
import { checkInt } from "./params.ts";
import { createWholeChunker } from "./whole.ts";

/** Names accepted by chunkerFromSpec. */
export const CHUNKER_NAMES = ["fastcdc", "fixed", "whole"] as const;

export interface ChunkerPolicyOptions {
  /** 32-byte chunker key from the repository keys (keys the FastCDC gear table). */
  key: Uint8Array;
  /** Files with size below this get `whole`; default: the FastCDC min. 0 disables. */
  smallFileLimit?: number;
  /** FastCDC sizes; default FASTCDC_DEFAULTS. */
  fastcdc?: FastCdcSizes;
  /** Per file class chunker, e.g. { database: { name: "fixed", params: { size: 65536 } } }. */
  classes?: Record<string, ChunkerSpec>;
  /** The class of a file that has no (listed) class, from its path: e.g. "text" for *.jsonl. */
  classOf?(path: string): string | undefined;
}

/**
 * createChunkerPolicy returns a policy that gives, in this order: `whole` to files smaller
 * than `smallFileLimit` (or, for a class chunked by FastCDC, than that FastCDC's min); the
 * chunker of `classes[fileClass]` when the class is listed, else of `classes[classOf(path)]`;
 * FastCDC to everything else. Chunkers are built once here, so an invalid spec throws now
 * rather than mid-backup, and forFile() is a lookup.
 *
 * `specs` keys: "whole" (omitted when smallFileLimit is 0), "fastcdc", and
 * "class:<fileClass>" per class, so two classes may use the same chunker name with
 * different params (say, fixed 64 KiB for SQLite and fixed 8 KiB for another store).
 */
export function createChunkerPolicy(opts: ChunkerPolicyOptions): ChunkerPolicy {
  const fastcdc = createFastCdc({ key: opts.key, ...(opts.fastcdc ?? FASTCDC_DEFAULTS) });
  const limit = checkInt("policy", "smallFileLimit", opts.smallFileLimit ?? fastcdc.spec.params.min, 0, Number.MAX_SAFE_INTEGER);
  const whole = createWholeChunker();
  const classes = new Map<string, Chunker>();
  for (const [fileClass, spec] of Object.entries(opts.classes ?? {})) {
    classes.set(fileClass, chunkerFromSpec(spec, opts.key));
  }
  const specs: Record<string, ChunkerSpec> = {};
  if (limit > 0) specs["whole"] = whole.spec;
  specs["fastcdc"] = fastcdc.spec;
  for (const [fileClass, chunker] of classes) specs[`class:${fileClass}`] = chunker.spec;
  return {
    specs,
    forFile(path: string, size: number, fileClass?: string): Chunker {
      const byPath = opts.classOf?.(path);
      const chosen = (fileClass === undefined ? undefined : classes.get(fileClass)) ?? (byPath === undefined ? undefined : classes.get(byPath)) ?? fastcdc;
      const wholeBelow = chosen !== fastcdc && chosen.spec.name === "fastcdc" ? Math.min(limit, chosen.spec.params["min"] ?? limit) : limit;
      return size < wholeBelow ? whole : chosen;
    },
  };
}

/**
 * chunkerFromSpec rebuilds the chunker a snapshot recorded, so a later backup can cut
 * the same way. `key` is only used by fastcdc. Throws an Error for an unknown name or
 * missing/invalid params.
 */
export function chunkerFromSpec(spec: ChunkerSpec, key: Uint8Array): Chunker {
  const p = spec.params;
  switch (spec.name) {
    case "fastcdc":
      return createFastCdc({ key, min: need(spec, "min"), avg: need(spec, "avg"), max: need(spec, "max") });
    case "fixed":
      return createFixedChunker({ size: need(spec, "size") });
    case "whole":
      return createWholeChunker();
    default:
      throw new Error(`unknown chunker "${spec.name}" (known: ${CHUNKER_NAMES.join(", ")}); params ${JSON.stringify(p)}`);
  }
}

function need(spec: ChunkerSpec, param: string): number {
  const v = Object.hasOwn(spec.params, param) ? spec.params[param] : undefined;
  if (v === undefined) throw new Error(`chunker ${spec.name}: spec lacks param "${param}"`);
  return v;
}
