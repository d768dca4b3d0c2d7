/**
 * @module backends/backend
 * The storage contract every backend (local, sftp, s3, mem) implements. A backend knows
 * nothing about encryption, packs or snapshots: it stores opaque immutable objects under
 * a (type, name) handle. Everything above it relies on these guarantees:
 *
 * - save() is atomic: after it resolves the object is durable and complete; a reader never
 *   sees a partial object under its final name. save() MUST fail (not overwrite) if the
 *   object exists and `atomicReplace` is false, unless the bytes are identical.
 * - read-after-write: an object whose save() resolved is visible to stat/load/list.
 * - list() never yields temporary/in-progress objects.
 * - Every method honours `signal`: an aborted operation rejects with an AbortError and
 *   leaves no object under its final name.
 */

/** FileType names the folder an object lives in. */
export type FileType = "config" | "key" | "pack" | "index" | "snapshot" | "lock" | "record";

/** Handle names one object. `name` is empty for the singleton `config`. */
export interface Handle {
  readonly type: FileType;
  readonly name: string;
}

export interface FileInfo {
  readonly name: string;
  readonly size: number;
  /** Modification time in ms since the epoch, when the backend knows it. */
  readonly mtimeMs?: number;
}

export interface IoOptions {
  readonly signal?: AbortSignal;
}

/**
 * LoadRange selects bytes [offset, offset+length). A missing length reads to the end.
 * A negative offset counts from the end (used to read pack trailers).
 */
export interface LoadRange {
  readonly offset?: number;
  readonly length?: number;
}

export interface BackendProperties {
  /** How many operations the backend handles well at once. */
  readonly connections: number;
  readonly atomicReplace: boolean;
  /** Human-readable location, without credentials. */
  readonly location: string;
  /**
   * How many pack saves a backup keeps in flight (default 2), each holding a whole pack in
   * memory. A remote link hides its latency with two; a local disk gains nothing from a
   * second, and a third pack buffer was 17 MB of a backup's peak RSS (issue 4).
   */
  readonly packUploads?: number;
  /**
   * How long an object may take to show in list() after its save returned (default 200 ms):
   * a locker waits that long before it looks for racing lockers (design.md §8). A local
   * folder lists an object as soon as its rename returned: 0.
   */
  readonly listLagMs?: number;
  /** Set by the read-only wrapper: create, save and remove are refused. */
  readonly readOnly?: boolean;
}

/** Backend is the small storage interface; see the module header for its guarantees. */
export interface Backend {
  readonly properties: BackendProperties;
  /** Create the folder layout. Fails if a repository (a `config` object) already exists. */
  create(opts?: IoOptions): Promise<void>;
  /**
   * save stores `body` under `h`. The body is a complete buffer, so a retry can resend it.
   * Once save settles the backend MUST NOT read `body` again: the uploader reuses pack buffers.
   */
  save(h: Handle, body: Uint8Array, opts?: IoOptions): Promise<void>;
  /** load returns the selected bytes. It MUST throw an error for which isNotFound() is true if `h` is absent. */
  load(h: Handle, range?: LoadRange, opts?: IoOptions): Promise<Uint8Array>;
  stat(h: Handle, opts?: IoOptions): Promise<FileInfo>;
  /** list yields every object of `type`. Order is unspecified. */
  list(type: FileType, opts?: IoOptions): AsyncIterable<FileInfo>;
  /** remove deletes `h`; removing an absent object is not an error. */
  remove(h: Handle, opts?: IoOptions): Promise<void>;
  /**
   * removeLeftovers deletes temporary objects of interrupted saves (a process killed
   * mid-write) that are older than `olderThanMs`, and returns how many it removed.
   * Optional: backends whose saves leave no partial objects need not implement it.
   */
  removeLeftovers?(olderThanMs: number, opts?: IoOptions): Promise<number>;
  isNotFound(err: unknown): boolean;
  /** isPermanent is true for errors a retry cannot fix (ENOSPC, EACCES, auth). */
  isPermanent(err: unknown): boolean;
  close(): Promise<void>;
}
