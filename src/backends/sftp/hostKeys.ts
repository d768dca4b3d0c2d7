/**
 * @module backends/sftp/hostKeys
 * The host key policy: a connection proceeds only when the server's key is in a known_hosts
 * file, or (with accept-new) when the host is unknown and its key gets recorded. A changed
 * or revoked key is always refused. Refusals are BackendAccessError("host-key") carrying
 * the fingerprint and the command that fixes it.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { BackendAccessError, isNotFoundError } from "../errors.ts";
import { checkHostKey, fingerprint, hostKeyAlgorithms, keyTypeOf, type KnownHost, knownHostsLine, parseKnownHosts } from "./knownHosts.ts";
import type { SftpSettings } from "./settings.ts";

const GLOBAL_KNOWN_HOSTS = "/etc/ssh/ssh_known_hosts";

/** loadKnownHosts reads the settings' known_hosts files and the system-wide one; missing files are empty. */
export async function loadKnownHosts(s: SftpSettings): Promise<KnownHost[]> {
  const out: KnownHost[] = [];
  for (const file of [...s.knownHostsFiles, GLOBAL_KNOWN_HOSTS]) {
    try {
      out.push(...parseKnownHosts(await readFile(file, "utf8"), file));
    } catch (err) {
      if (!isNotFoundError(err)) throw new Error(`read known_hosts file ${file}`, { cause: err });
    }
  }
  return out;
}

/** HostKeyCheck verifies one handshake; `failure` holds the refusal for the connect error. */
export interface HostKeyCheck {
  readonly algorithms: string[];
  verify(key: Buffer, done: (ok: boolean) => void): void;
  failure: BackendAccessError | undefined;
}

/** hostKeyCheck returns the verifier for a connection to `s.host:s.port`. */
export function hostKeyCheck(s: SftpSettings, entries: readonly KnownHost[]): HostKeyCheck {
  const check: HostKeyCheck = {
    algorithms: hostKeyAlgorithms(entries, s.host, s.port),
    failure: undefined,
    verify(key, done) {
      const refusal = judge(s, entries, key);
      if (refusal) {
        check.failure = refusal;
        done(false);
        return;
      }
      const verdict = checkHostKey(entries, s.host, s.port, key);
      if (verdict.status === "known") return done(true);
      recordKey(s, key).then(
        () => done(true),
        (err: unknown) => {
          check.failure = new BackendAccessError("host-key", `cannot record the host key of ${s.host}: ${String(err)}`, { cause: err });
          done(false);
        },
      );
    },
  };
  return check;
}

/** judge returns the refusal for `key`, or undefined when it is known or may be recorded. */
function judge(s: SftpSettings, entries: readonly KnownHost[], key: Buffer): BackendAccessError | undefined {
  const verdict = checkHostKey(entries, s.host, s.port, key);
  const fp = `${keyTypeOf(key)} key ${fingerprint(key)}`;
  const hostPort = s.port === 22 ? s.host : `${s.host} port ${s.port}`;
  const removeCmd = `ssh-keygen -R ${s.port === 22 ? s.host : `'[${s.host}]:${s.port}'`}${verdict.status === "changed" ? ` -f ${verdict.entry.file}` : ""}`;
  switch (verdict.status) {
    case "known":
      return undefined;
    case "revoked":
      return new BackendAccessError("host-key", `the host key of ${hostPort} (${fp}) is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}`, {
        hint: "the server's key was revoked; ask its administrator for the new key",
      });
    case "changed":
      return new BackendAccessError(
        "host-key",
        `HOST KEY CHANGED for ${hostPort}: it presented ${fp}, which differs from the key in ${verdict.entry.file}:${verdict.entry.line}; someone may be intercepting the connection`,
        { hint: `if the server was really reinstalled, check the new fingerprint with its administrator, then run: ${removeCmd} and connect again` },
      );
    case "unknown":
      if (verdict.otherTypes.length > 0) {
        const e = verdict.otherTypes[0]!;
        return new BackendAccessError("host-key", `${hostPort} presented a ${fp}, but ${e.file}:${e.line} knows it with a ${e.keyType} key`, {
          hint: `if the server really changed its key type, run: ${removeCmd} -f ${e.file}, then add the new key`,
        });
      }
      if (s.acceptNew) return undefined;
      return new BackendAccessError("host-key", `the host key of ${hostPort} is unknown (${fp}); it is not in ${s.knownHostsFiles.join(" or ")}`, {
        hint: `run: ssh-keyscan -p ${s.port} ${s.host} >> ${s.knownHostsFiles[0] ?? "~/.ssh/known_hosts"} (check the fingerprint), or pass -o sftp.accept-new=true`,
      });
  }
}

/** recordKey appends an accepted key, as `ssh` does with StrictHostKeyChecking=accept-new. */
async function recordKey(s: SftpSettings, key: Buffer): Promise<void> {
  const file = s.knownHostsFiles[0];
  if (file === undefined) throw new Error("no known_hosts file to record the key in");
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, knownHostsLine(s.host, s.port, key), { mode: 0o600 });
}
