/**
 * @module testing/sshd
 * A throwaway OpenSSH server for tests: the system's /usr/sbin/sshd on 127.0.0.1 and a free
 * port, with its own host key, client key, authorized_keys and known_hosts in a temp folder.
 * Used by the sftp backend tests and the CLI end-to-end tests, so the sftp code is always
 * tested against the real thing. Tests never skip: without sshd this throws with the fix.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { BackendOptions } from "../backends/registry.ts";

const run = promisify(execFile);
const SSHD = "/usr/sbin/sshd";

export interface SshdOptions {
  /** Log in as this user instead of the current one (root only; e.g. "nobody" to test permissions). */
  readonly user?: string;
}

/** SshdEnv is a running sshd and everything a client needs to reach it. */
export interface SshdEnv {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly identityFile: string;
  /** A known_hosts file holding `[127.0.0.1]:PORT <hostkey>`. */
  readonly knownHostsFile: string;
  /** The host key's fingerprint as `ssh` prints it (SHA256:…). */
  readonly hostKeyFingerprint: string;
  /** A temp folder, writable by `user`, under which tests put repositories. */
  readonly dir: string;
  /** location returns `sftp:USER@127.0.0.1:/abs/path`. */
  location(absPath: string): string;
  /** sftp.port, sftp.identity and sftp.known-hosts for this server. */
  readonly options: BackendOptions;
  /** killSessions kills the per-connection sshd processes: every client connection drops. */
  killSessions(): Promise<void>;
  /** restart stops the listener (dropping connections) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** startSshd starts a private sshd and waits until it accepts connections. */
export async function startSshd(opts: SshdOptions = {}): Promise<SshdEnv> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} not found: the sftp tests need OpenSSH's server; run: apt-get install openssh-server`);
  const user = opts.user ?? os.userInfo().username;
  const tmp = await mkdtemp(path.join(os.tmpdir(), "lifeboat-sshd-"));
  await chmod(tmp, 0o755); // sshd reads authorized_keys as the login user
  const f = (name: string) => path.join(tmp, name);
  await keygen(f("host_key"));
  await keygen(f("id_ed25519"));
  await writeFile(f("authorized_keys"), await readFile(f("id_ed25519.pub")), { mode: 0o644 });
  const dir = f("repos");
  await mkdir(dir, { mode: 0o755 });
  if (opts.user !== undefined) await chownToUser(dir, opts.user);
  await mkdir("/run/sshd", { recursive: true }).catch(() => undefined); // privilege separation folder
  const port = await freePort();
  await writeFile(f("sshd_config"), sshdConfig(tmp, port));
  const hostPub = (await readFile(f("host_key.pub"), "utf8")).trim().split(/\s+/);
  const blob = Buffer.from(hostPub[1] ?? "", "base64");
  await writeFile(f("known_hosts"), `[127.0.0.1]:${port} ${hostPub[0]} ${hostPub[1]}\n`);
  let proc = await launch(f("sshd_config"), port);
  const env: SshdEnv = {
    host: "127.0.0.1",
    port,
    user,
    identityFile: f("id_ed25519"),
    knownHostsFile: f("known_hosts"),
    hostKeyFingerprint: `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`,
    dir,
    location: (p) => `sftp:${user}@127.0.0.1:${p}`,
    options: { "sftp.port": String(port), "sftp.identity": f("id_ed25519"), "sftp.known-hosts": f("known_hosts") },
    killSessions: () => killChildren(proc.pid),
    async restart() {
      await killChildren(proc.pid);
      await terminate(proc);
      proc = await launch(f("sshd_config"), port);
    },
    async stop() {
      await killChildren(proc.pid);
      await terminate(proc);
      await rm(tmp, { recursive: true, force: true });
    },
  };
  return env;
}

function sshdConfig(tmp: string, port: number): string {
  return [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${path.join(tmp, "host_key")}`,
    `PidFile ${path.join(tmp, "sshd.pid")}`,
    `AuthorizedKeysFile ${path.join(tmp, "authorized_keys")}`,
    "StrictModes no",
    "UsePAM no",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    "PermitRootLogin prohibit-password",
    "Subsystem sftp internal-sftp",
    "LogLevel ERROR",
    "",
  ].join("\n");
}

async function keygen(file: string): Promise<void> {
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "lifeboat-test", "-f", file]);
}

async function chownToUser(dir: string, user: string): Promise<void> {
  const { stdout } = await run("id", ["-u", user]);
  const { stdout: gid } = await run("id", ["-g", user]);
  await chown(dir, Number(stdout.trim()), Number(gid.trim()));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** launch starts sshd in the foreground and resolves once it answers with an SSH banner. */
async function launch(config: string, port: number): Promise<ChildProcess> {
  const proc = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`sshd exited with ${proc.exitCode}: ${stderr.trim()}`);
    if (await answers(port)) return proc;
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill();
  throw new Error(`sshd did not start listening on port ${port} within 10s: ${stderr.trim()}`);
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    sock.setTimeout(1000);
    sock.once("data", (d) => {
      sock.destroy();
      resolve(d.toString().startsWith("SSH-"));
    });
    sock.once("error", () => resolve(false));
    sock.once("timeout", () => {
      sock.destroy();
      resolve(false);
    });
  });
}

async function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  await exited;
}

/** killChildren kills the processes whose parent is `pid` (sshd's per-connection processes). */
async function killChildren(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  for (const child of await childrenOf(pid)) {
    await killChildren(child);
    try {
      process.kill(child, "SIGKILL");
    } catch {
      // it exited meanwhile
    }
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === pid) out.push(Number(name));
  }
  return out;
}
