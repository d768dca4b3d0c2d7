/**
 * @module backends/registry
 * Turns a repository location (`--repo`) into a backend. `local:/path` and a bare path open
 * the local backend; every other scheme must be in FACTORIES. Factories import their module
 * lazily, so a remote backend's dependencies load only when a repository uses it.
 */
import { LifeboatError } from "../errors/index.ts";
import type { Backend } from "./backend.ts";

/** BackendFactory opens a backend for the part of the location after `scheme:`. */
export type BackendFactory = (rest: string) => Promise<Backend>;

/** FACTORIES maps a scheme to its factory. Add a backend here (see README.md). */
const FACTORIES: Readonly<Record<string, BackendFactory>> = {
  local: async (rest) => (await import("./local/index.ts")).createLocalBackend(rest),
};

// Schemes users will try before their backend exists; they get a "not yet" message.
const PLANNED = new Set(["sftp", "s3"]);

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
 * openBackend returns the backend for `location`. It throws a LifeboatError naming the
 * supported schemes for an unknown or not-yet-implemented scheme, and for an empty path.
 */
export async function openBackend(location: string): Promise<Backend> {
  const { scheme, rest } = parseLocation(location);
  const factory = Object.hasOwn(FACTORIES, scheme) ? FACTORIES[scheme] : undefined;
  const supported = `supported: ${supportedSchemes().map((s) => `${s}:`).join(", ")} or a plain path`;
  if (!factory) {
    const what = PLANNED.has(scheme) ? "is not available in this version (planned: SFTP and S3 repositories)" : "is unknown";
    throw new LifeboatError(`repository location ${JSON.stringify(location)}: backend "${scheme}" ${what}; ${supported}`, {
      hint: "a local folder whose name contains ':' can be given as ./name",
    });
  }
  if (rest === "") throw new LifeboatError(`repository location ${JSON.stringify(location)} has no path`);
  return await factory(rest);
}
