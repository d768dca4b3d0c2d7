/**
 * @module daemon/health
 * The optional health endpoint: GET /health on a loopback address answers with the jobs,
 * their next runs and last outcomes, 200 while every job's last run succeeded and 503 once
 * one failed, so a monitor (Uptime Kuma, a load balancer check, curl in a script) needs no
 * JSON parsing. Loopback only and read-only: it has no authentication and changes nothing.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JobOutcome } from "../schedule/state.ts";

export interface HealthJob {
  name: string;
  kind: string;
  agent?: string;
  cron: string;
  nextRun: string | null;
  last: JobOutcome | null;
}

export interface HealthDoc {
  status: "ok" | "failing";
  pid: number;
  started: string;
  time: string;
  timeZone: string;
  running: { job: string; since: string } | null;
  jobs: HealthJob[];
}

/** healthStatus: failing when any job's last run failed. */
export function healthStatus(jobs: HealthJob[]): HealthDoc["status"] {
  return jobs.some((j) => j.last && !j.last.ok) ? "failing" : "ok";
}

/** toWire renders the document with snake_case keys, like every lifeboat JSON output. */
function toWire(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toWire);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), toWire(x)]));
}

/**
 * serveHealth listens on host:port until `signal` aborts and resolves to the bound address
 * (port 0 picks a free one). @throws Error when the address is taken
 */
export async function serveHealth(host: string, port: number, doc: () => HealthDoc, signal: AbortSignal): Promise<AddressInfo> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405, { allow: "GET, HEAD" }).end();
    if (path !== "/health" && path !== "/") return void res.writeHead(404, { "content-type": "text/plain" }).end("not found; try GET /health\n");
    const d = doc();
    const body = JSON.stringify(toWire(d)) + "\n";
    res.writeHead(d.status === "ok" ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`health endpoint on ${host}:${port}`, { cause: err })));
    server.listen(port, host, () => resolve());
  });
  // Idle keep-alive connections must not hold the daemon open after SIGTERM.
  signal.addEventListener("abort", () => { server.close(); server.closeAllConnections(); }, { once: true });
  return server.address() as AddressInfo;
}
