/**
 * @module runbook/notcovered
 * What a lifeboat backup does not bring back, each with what to do about it. A recovery
 * that restores the agent but not its TLS certificate or its tailnet node still leaves it
 * unreachable; the reader must learn that from the runbook, not from the outage.
 */

export interface Gap {
  what: string;
  /** What to do about it; absent for the preset's own notes, which already say it. */
  todo?: string;
}

/** STANDARD_GAPS: what no agent backup covers, whatever the preset. */
export const STANDARD_GAPS: readonly Gap[] = [
  {
    what: "The lifeboat repository password (or key) itself",
    todo: "keep a copy away from this machine: in a password manager, or printed and kept with this runbook. Without it the backup cannot be opened by anyone.",
  },
  {
    what: "SSL/TLS certificates and private keys (Let's Encrypt, /etc/letsencrypt, a reverse proxy's certificates)",
    todo: "reissue them on the new machine (for example `certbot certonly`), or back up /etc/letsencrypt separately. Point DNS at the new machine first.",
  },
  {
    what: "Tailnet / VPN membership (Tailscale, WireGuard, ZeroTier node keys and state)",
    todo: "join the new machine again (for example `tailscale up`) and remove the dead node in the admin console; update any ACLs or IP addresses that named it.",
  },
  {
    what: "SSH keys and known_hosts (~/.ssh)",
    todo: "create a new key pair (`ssh-keygen -t ed25519`) and add the public key wherever the old one was allowed (GitHub, servers); remove the old one there.",
  },
  {
    what: "System packages, runtimes and the agent's own software (Node.js, Python, the agent's checkout)",
    todo: "reinstall them at the versions you ran before; `lifeboat doctor` lists missing tools such as sqlite3 and pg_dump.",
  },
  {
    what: "Scheduled jobs and services: crontab, systemd units and timers (including the lifeboat backup schedule itself)",
    todo: "recreate them (`crontab -e`, `systemctl enable --now ...`); without the backup schedule, the next disaster finds an old backup.",
  },
  {
    what: "The PostgreSQL server itself: roles, passwords, extensions and server settings (only the databases are dumped)",
    todo: "install PostgreSQL, create the roles the agent connects as, and install the extensions it uses before loading the dumps.",
  },
];

/**
 * gapsOf merges the backup's own notes (manifest) with the preset's (config), without
 * repeats, and the standard list after them.
 */
export function gapsOf(manifestNotes: readonly string[], agentNotes: readonly string[] = []): Gap[] {
  const seen = new Set<string>();
  const own: Gap[] = [];
  for (const what of [...manifestNotes, ...agentNotes]) {
    const key = what.trim();
    if (key === "" || seen.has(key)) continue;
    seen.add(key);
    own.push({ what: key });
  }
  return [...own, ...STANDARD_GAPS];
}

/** renderGaps is the "Not covered" section body: a numbered list. */
export function renderGaps(gaps: readonly Gap[]): string {
  return gaps.map((g, i) => `${i + 1}. **${g.what}**${g.todo ? `\n   What to do: ${g.todo}` : ""}`).join("\n");
}
