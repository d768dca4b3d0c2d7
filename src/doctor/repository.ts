/**
 * @module doctor/repository
 * Is the repository there, and does the configured password open it? The three failures a
 * user must tell apart (no location, nothing at the location, wrong password) each get the
 * fix that applies; the opened repository is handed on to the freshness check.
 */
import { resolve } from "node:path";
import { parseLocation } from "../backends/registry.ts";
import { ConfigError } from "../config/index.ts";
import { LifeboatError, RepositoryNotFoundError, WrongPasswordError } from "../errors/index.ts";
import { shortId } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { error, errorText, ok, type DoctorContext, type Finding } from "./types.ts";

const CHECK = "repository";

export interface RepositoryCheck {
  /** Empty when an invalid config hides the repository: the config findings already say why. */
  findings: Finding[];
  /** The open repository, when the check passed; the caller closes it. */
  repo?: Repository;
}

/** checkRepository opens the repository the way every command does. */
export async function checkRepository(ctx: DoctorContext): Promise<RepositoryCheck> {
  let location: string;
  try {
    location = await ctx.location();
  } catch (err) {
    if (err instanceof ConfigError) return { findings: [] };
    return { findings: [error(CHECK, errorText(err), hintOf(err) ?? "set repository.url in lifeboat.yaml, or pass --repo")] };
  }
  try {
    const repo = await ctx.openRepo();
    return { findings: [ok(CHECK, `${location} opens with the configured password (repository ${shortId(repo.config.id)})`)], repo };
  } catch (err) {
    if (ctx.signal?.aborted) throw err;
    // The password file can come from the config, which cannot be read.
    if (err instanceof ConfigError) return { findings: [] };
    return { findings: [error(CHECK, errorText(err), fixFor(err))] };
  }
}

function fixFor(err: unknown): string {
  if (err instanceof WrongPasswordError) {
    return "check the password file (repository.password_file in lifeboat.yaml, --password-file or LIFEBOAT_PASSWORD_FILE): it must hold the password given to `lifeboat init` or `lifeboat key add`";
  }
  if (err instanceof RepositoryNotFoundError) return "create it with `lifeboat init`, or fix repository.url in lifeboat.yaml (or --repo / LIFEBOAT_REPOSITORY)";
  return hintOf(err) ?? "check that the location is reachable and readable by this user";
}

function hintOf(err: unknown): string | undefined {
  return err instanceof LifeboatError ? err.hint : undefined;
}

/** localPath is the folder of a local repository location; undefined for any other backend or a bad location. */
export function localPath(location: string): string | undefined {
  try {
    const loc = parseLocation(location);
    return loc.scheme === "local" && loc.rest !== "" ? resolve(loc.rest) : undefined;
  } catch {
    return undefined;
  }
}
