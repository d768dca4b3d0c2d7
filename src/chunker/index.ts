/**
 * @module chunker
 * Splitting file content into blobs: FastCDC for general data, fixed blocks for
 * page-structured files, whole-file for small files, and the policy choosing between them.
 */
export type { Chunker, ChunkerPolicy } from "./chunker.ts";
export {
  createFastCdc, deriveGear, FASTCDC_AVG, FASTCDC_DEFAULTS, FASTCDC_KEY_BYTES, FASTCDC_MAX, FASTCDC_MIN,
  type FastCdcOptions, type FastCdcSizes,
} from "./fastcdc.ts";
export { createFixedChunker, FIXED_MAX_SIZE, type FixedOptions } from "./fixed.ts";
export { createWholeChunker } from "./whole.ts";
export { CHUNKER_NAMES, chunkerFromSpec, createChunkerPolicy, type ChunkerPolicyOptions } from "./policy.ts";
