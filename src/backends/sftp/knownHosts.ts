/**
 * @module backends/sftp/knownHosts
 * OpenSSH known_hosts files: parsing (plain names, comma lists, wildcards and negation,
 * `[host]:port`, hashed `|1|salt|hash` entries, @revoked / @cert-authority markers),
 * checking a server's key against them, and the fingerprint and line formats `ssh` uses.
 * Pure functions; ./hostKeys.ts does the file I/O and the policy.
 */
import { createHash, createHmac } from "node:crypto";
import { matchPatternList } from "./sshConfig.ts";

/** KnownHost is one key line of a known_hosts file. */
export interface KnownHost {
  readonly file: string;
  readonly line: number;
  readonly marker?: "revoked" | "cert-authority";
  /** The host field: a comma list of patterns, or one hashed `|1|salt|hash` entry. */
  readonly hosts: string;
  readonly keyType: string;
  readonly key: Buffer;
}

/** parseKnownHosts returns the key lines of a known_hosts file; malformed lines are skipped like ssh does. */
export function parseKnownHosts(text: string, file: string): KnownHost[] {
  const out: KnownHost[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === "" || fields[0].startsWith("#")) return;
    let marker: KnownHost["marker"];
    if (fields[0].startsWith("@")) {
      const m = fields.shift()!;
      if (m !== "@revoked" && m !== "@cert-authority") return;
      marker = m === "@revoked" ? "revoked" : "cert-authority";
    }
    const [hosts, keyType, b64] = fields;
    if (hosts === undefined || keyType === undefined || b64 === undefined) return;
    const key = Buffer.from(b64, "base64");
    if (key.length === 0) return;
    out.push({ file, line: i + 1, hosts, keyType, key, ...(marker ? { marker } : {}) });
  });
  return out;
}

/** hostField is the name a known_hosts line stores for `host`: `[host]:port` off port 22. */
export function hostField(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** entryMatches is true when `entry` names `host` on `port` (plain or hashed). */
export function entryMatches(entry: KnownHost, host: string, port: number): boolean {
  const name = hostField(host, port);
  if (entry.hosts.startsWith("|1|")) {
    const [, , salt, hash] = entry.hosts.split("|");
    if (salt === undefined || hash === undefined) return false;
    const mac = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return mac === hash;
  }
  return matchPatternList(entry.hosts.split(","), name.toLowerCase());
}

/** HostKeyVerdict is the result of checking a server key against known_hosts entries. */
export type HostKeyVerdict =
  | { readonly status: "known"; readonly entry: KnownHost }
  | { readonly status: "unknown"; readonly otherTypes: readonly KnownHost[] }
  | { readonly status: "changed" | "revoked"; readonly entry: KnownHost };

/**
 * checkHostKey decides what `ssh` would: a revoked key is refused; a matching key is known;
 * a different key of the same type is a changed key (possible attack); otherwise unknown,
 * with entries of other key types listed so the caller can refuse to silently add one.
 */
export function checkHostKey(entries: readonly KnownHost[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === "revoked" && e.key.equals(key));
  if (revoked) return { status: "revoked", entry: revoked };
  const mine = entries.filter((e) => e.marker === undefined && entryMatches(e, host, port));
  const same = mine.find((e) => e.key.equals(key));
  if (same) return { status: "known", entry: same };
  const type = keyTypeOf(key);
  const changed = mine.find((e) => e.keyType === type);
  if (changed) return { status: "changed", entry: changed };
  return { status: "unknown", otherTypes: mine };
}

/** keyTypeOf reads the algorithm name at the start of an ssh public key blob. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return "unknown";
  const len = key.readUInt32BE(0);
  return len > 0 && 4 + len <= key.length ? key.subarray(4, 4 + len).toString("latin1") : "unknown";
}

/** fingerprint renders a key the way `ssh` does: `SHA256:` and unpadded base64. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** knownHostsLine is the line `ssh` appends for a newly accepted key. */
export function knownHostsLine(host: string, port: number, key: Buffer): string {
  return `${hostField(host, port)} ${keyTypeOf(key)} ${key.toString("base64")}\n`;
}

// ssh2's host key algorithms. RSA keys are offered under three signature names.
const ALGORITHMS_BY_KEY_TYPE: Readonly<Record<string, readonly string[]>> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

/**
 * hostKeyAlgorithms orders the algorithms so the server proves a key type we already know
 * for it, as `ssh` does; otherwise a server with several host keys could present another
 * type and look unknown.
 */
export function hostKeyAlgorithms(entries: readonly KnownHost[], host: string, port: number): string[] {
  const known = new Set(entries.filter((e) => e.marker === undefined && entryMatches(e, host, port)).map((e) => e.keyType));
  const all = Object.entries(ALGORITHMS_BY_KEY_TYPE);
  const first = all.filter(([t]) => known.has(t)).flatMap(([, a]) => a);
  const rest = all.filter(([t]) => !known.has(t)).flatMap(([, a]) => a);
  return [...first, ...rest];
}
