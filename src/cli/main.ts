#!/usr/bin/env node
/**
 * @module cli/main
 * The `lifeboat` executable. It turns on Node's compile cache, in lifeboat's own cache
 * folder, before it loads the rest (cli/launch.ts): a cold start then reuses last run's
 * compiled code (0.32 s → 0.26 s for `lifeboat --version`, bench/agent, issue 4). Not in
 * the shared /tmp default: another local user must not be able to plant code there.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
import { enableCompileCache } from "node:module";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { lifeboatCacheDir } from "../util/xdg.ts";

// A backup allocates fast and keeps little, and V8 grew its young generation to ~150 MB of
// committed heap for 25 MB of live objects. --max-semi-space-size only works on the command
// line; the growth factor is read each time the young generation would grow, so it can be
// set here. The bench agent's initial backup: peak RSS 430 → 280 MB, same speed (issue 4).
setFlagsFromString("--semi-space-growth-factor=1");
// Dead blob buffers are external memory that only a full GC frees, and V8 spaces full GCs
// by how much its own heap grew, which a backup barely does: the old generation may grow by
// 70% before the next one (default: V8's own factor, up to 4×). Initial backup of the bench
// agent: peak RSS 278-310 → 224-268 MB at about the same speed; 50% cost 0.4 s (issue 4).
setFlagsFromString("--heap-growing-percent=70");
enableCompileCache?.(join(lifeboatCacheDir(), "compiled"));
await import("./launch.ts");
