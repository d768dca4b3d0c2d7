/**
 * @module restore/window
 * Restoring many small files from a remote repository would cost one request per file (a
 * 2,604-file restore made ~3,400 ranged reads; bench/remote/RESULTS.md), and each request
 * costs a round trip. Small reads are therefore served from aligned windows of a pack, read
 * once and shared by every file whose blobs fall inside: files are restored in the order the
 * backup wrote them, so neighbours in a pack are restored close together in time.
 */

/** LoadRange reads `length` bytes at `offset` of a pack (short at the pack's end). */
export type LoadPackRange = (packId: string, offset: number, length: number, signal?: AbortSignal) => Promise<Uint8Array>;

export interface WindowOptions {
  /** Window size; reads smaller than `smallRead` that fit in one window use it. */
  readonly windowBytes: number;
  /** Reads at least this long go straight to the backend. */
  readonly smallRead: number;
  /** Windows kept (least recently used ones are dropped); bounds memory to windows × windowBytes. */
  readonly maxWindows: number;
}

// 2 MiB windows × 16 = 32 MiB at most. Reads under 256 KiB are verified on the main thread
// (repository.decodeRun), so a slice of a shared window is never transferred to a worker.
export const DEFAULT_WINDOWS: WindowOptions = { windowBytes: 2 << 20, smallRead: 256 << 10, maxWindows: 16 };

/** windowedReads wraps `load` so small reads share window-sized reads of the same pack. */
export function windowedReads(load: LoadPackRange, opts: WindowOptions = DEFAULT_WINDOWS): LoadPackRange {
  const windows = new Map<string, Promise<Uint8Array>>();

  const windowOf = (packId: string, start: number, signal?: AbortSignal): Promise<Uint8Array> => {
    const key = `${packId}@${start}`;
    const held = windows.get(key);
    windows.delete(key); // (re-)inserted below: Map order is the recency order
    const w = held ?? load(packId, start, opts.windowBytes, signal);
    // A failed window is not kept: the next file asks again (and meets the same error if it lasts).
    if (!held) w.catch(() => { if (windows.get(key) === w) windows.delete(key); });
    windows.set(key, w);
    while (windows.size > opts.maxWindows) windows.delete(windows.keys().next().value!);
    return w;
  };

  return async (packId, offset, length, signal) => {
    const start = Math.floor(offset / opts.windowBytes) * opts.windowBytes;
    if (length >= opts.smallRead || offset + length > start + opts.windowBytes) return load(packId, offset, length, signal);
    const w = await windowOf(packId, start, signal);
    // A window cut short by the pack's end still holds every whole blob; a short slice here
    // means a truncated pack, which decoding reports as damage.
    return w.subarray(offset - start, offset - start + length);
  };
}
