/**
 * @module backends/sftp/sshConfig
 * Reads the OpenSSH client config (~/.ssh/config) the way `ssh` does for the keys that
 * matter to a backup connection, so `sftp:myserver:repo` works for anyone whose `ssh
 * myserver` works. Pure parsing and matching; the caller reads the file.
 */

/** SshHostConfig holds the settings of the blocks matching one host; first value wins. */
export interface SshHostConfig {
  hostName?: string;
  user?: string;
  port?: string;
  identityFiles: string[];
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: string;
  identitiesOnly?: string;
  identityAgent?: string;
  connectTimeout?: string;
}

interface Line {
  readonly keyword: string;
  readonly args: string[];
  readonly lineNo: number;
}

/** matchPattern matches `text` against an ssh pattern with `*` and `?`, case-insensitively. */
export function matchPattern(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "is").test(text);
}

/**
 * matchPatternList applies a pattern list (`a*.example.com !bad.example.com`): a host
 * matches if some positive pattern does and no negated one does.
 */
export function matchPatternList(patterns: readonly string[], host: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith("!")) {
      if (matchPattern(p.slice(1), host)) return false;
    } else if (matchPattern(p, host)) {
      matched = true;
    }
  }
  return matched;
}

/** splitArgs splits a config line's arguments, honouring double quotes. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2]!);
  return out;
}

function parseLines(text: string): Line[] {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/s.exec(line);
    if (!m) return;
    lines.push({ keyword: m[1]!.toLowerCase(), args: splitArgs(m[2]!), lineNo: i + 1 });
  });
  return lines;
}

/**
 * resolveSshConfig returns the settings for `host` (as written in the location, i.e. the
 * alias). `Match` blocks are not evaluated except `Match all`; `Include` is not followed.
 */
export function resolveSshConfig(text: string, host: string): SshHostConfig {
  const out: SshHostConfig = { identityFiles: [] };
  let active = true;
  for (const { keyword, args } of parseLines(text)) {
    if (keyword === "host") {
      active = matchPatternList(args, host);
      continue;
    }
    if (keyword === "match") {
      active = args.length === 1 && args[0]!.toLowerCase() === "all";
      continue;
    }
    if (active) apply(out, keyword, args);
  }
  return out;
}

function apply(out: SshHostConfig, keyword: string, args: string[]): void {
  const first = args[0];
  if (first === undefined) return;
  switch (keyword) {
    case "hostname":
      out.hostName ??= first;
      break;
    case "user":
      out.user ??= first;
      break;
    case "port":
      out.port ??= first;
      break;
    case "identityfile":
      out.identityFiles.push(first);
      break;
    case "userknownhostsfile":
      out.userKnownHostsFiles ??= args;
      break;
    case "stricthostkeychecking":
      out.strictHostKeyChecking ??= first.toLowerCase();
      break;
    case "identitiesonly":
      out.identitiesOnly ??= first.toLowerCase();
      break;
    case "identityagent":
      out.identityAgent ??= first;
      break;
    case "connecttimeout":
      out.connectTimeout ??= first;
      break;
  }
}

/** TokenValues are the values `%` tokens and `~` expand to in file names. */
export interface TokenValues {
  readonly home: string;
  readonly localUser: string;
  readonly host: string;
  readonly remoteUser: string;
  readonly port: number;
}

/** expandTokens expands `~`, `%d`, `%u`, `%h`, `%r`, `%p` and `%%` as ssh does in file names. */
export function expandTokens(file: string, v: TokenValues): string {
  const tilde = file === "~" || file.startsWith("~/") ? v.home + file.slice(1) : file;
  const map: Record<string, string> = { d: v.home, u: v.localUser, h: v.host, r: v.remoteUser, p: String(v.port), "%": "%" };
  return tilde.replace(/%(.)/g, (all, t: string) => map[t] ?? all);
}
