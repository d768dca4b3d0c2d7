/**
 * @module backends/registry
 * Turns a repository location (`--repo`) and its options (`-o key=value`) into a backend.
 * `local:/path` and a bare path open the local backend; every other scheme must be in
 * FACTORIES. Factories import their module lazily, so ssh2 or the AWS SDK load only when a
 * repository uses them.
 */
import { LifeboatError } from "../errors/index.ts";
import type { Backend } from "./backend.ts";

/**
 * BackendOptions are `scheme.key=value` settings from `-o` flags and `repository.options` in
 * lifeboat.yaml, e.g. `sftp.port=2222` or `s3.region=eu-west-1`. Each factory reads its own.
 */
export type BackendOptions = Readonly<Record<string, string>>;

/** BackendFactory opens a backend for the part of the location after `scheme:`. */
export type BackendFactory = (rest: string, opts: BackendOptions) => Promise<Backend>;

/** FACTORIES maps a scheme to its factory. Add a backend here (see README.md). */
const FACTORIES: Readonly<Record<string, BackendFactory>> = {
  local: async (rest) => (await import("./local/index.ts")).createLocalBackend(rest),
  sftp: async (rest, opts) => (await import("./sftp/index.ts")).createSftpBackend(rest, opts),
  s3: async (rest, opts) => (await import("./s3/index.ts")).createS3Backend(rest, opts),
};

/** Location is a parsed repository location. */
export interface Location {
  readonly scheme: string;
  readonly rest: string;
}

/**
 * parseLocation splits `scheme:rest`. A string without a scheme is a local path, and so is
 * `C:\…` on Windows (a one-letter "scheme" is a drive). Schemes are case-insensitive.
 */
export function parseLocation(location: string): Location {
  if (location === "") throw new LifeboatError("empty repository location", { hint: "pass --repo PATH" });
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(location);
  if (!m || (m[1]!.length === 1 && process.platform === "win32")) return { scheme: "local", rest: location };
  return { scheme: m[1]!.toLowerCase(), rest: m[2]! };
}

/** supportedSchemes lists the schemes openBackend accepts, sorted. */
export function supportedSchemes(): string[] {
  return Object.keys(FACTORIES).sort();
}

/**
 * parseOptionArgs turns `-o key=value` strings into BackendOptions; a later value wins.
 * Keys must be `scheme.name`, so a typo cannot silently configure nothing.
 */
export function parseOptionArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const m = /^([a-z0-9]+)\.([a-z0-9-]+)=(.*)$/s.exec(arg);
    if (!m) throw new LifeboatError(`option ${JSON.stringify(arg)} is not scheme.key=value`, { hint: "for example -o sftp.port=2222 or -o s3.region=eu-west-1" });
    out[`${m[1]}.${m[2]}`] = m[3]!;
  }
  return out;
}

/**
 * takeOptions returns the options for `scheme` without its prefix, and rejects keys of that
 * scheme it does not know (`known` maps each key to a one-line description for the message).
 * Options of other schemes are ignored: one config can carry settings for several repositories.
 */
export function takeOptions(scheme: string, opts: BackendOptions, known: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(opts)) {
    if (!key.startsWith(`${scheme}.`)) continue;
    const name = key.slice(scheme.length + 1);
    if (!Object.hasOwn(known, name)) {
      const list = Object.keys(known).map((k) => `${scheme}.${k}`).join(", ");
      throw new LifeboatError(`unknown option ${key}`, { hint: `${scheme}: repositories take ${list}` });
    }
    out[name] = value;
  }
  return out;
}

/**
 * openBackend returns the backend for `location`. It throws a LifeboatError naming the
 * supported schemes for an unknown scheme, and for an empty path.
 */
export async function openBackend(location: string, opts: BackendOptions = {}): Promise<Backend> {
  const { scheme, rest } = parseLocation(location);
  const factory = Object.hasOwn(FACTORIES, scheme) ? FACTORIES[scheme] : undefined;
  if (!factory) {
    const supported = `supported: ${supportedSchemes().map((s) => `${s}:`).join(", ")} or a plain path`;
    throw new LifeboatError(`repository location ${JSON.stringify(location)}: backend "${scheme}" is unknown; ${supported}`, {
      hint: "a local folder whose name contains ':' can be given as ./name",
    });
  }
  if (rest === "") throw new LifeboatError(`repository location ${JSON.stringify(location)} has no path`);
  return await factory(rest, opts);
}
