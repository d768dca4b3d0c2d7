/** @module cli/commands/key — `lifeboat key list|add|remove|passwd`. */
import { DEFAULT_SCRYPT, TEST_SCRYPT } from "../../crypto/kdf.ts";
import { addKey, listKeys, removeKey, resolveKey } from "../../repository/keys.ts";
import { renderTable } from "../../ui/index.ts";
import { helpText, type Cli } from "../context.ts";
import { getPassword, readPasswordFile } from "../password.ts";
import type { Register } from "./index.ts";

async function newPassword(file: string | undefined): Promise<string> {
  return file ? readPasswordFile(file) : getPassword({ passwordFile: undefined, prompt: "enter new password: ", confirm: true });
}

const kdf = () => (process.env.LIFEBOAT_INSECURE_TEST_KDF === "1" ? TEST_SCRYPT : DEFAULT_SCRYPT);

async function exclusive<T>(cli: Cli, fn: (repo: Parameters<Parameters<Cli["withRepo"]>[0]>[0]) => Promise<T>): Promise<T> {
  return cli.withRepo(async (repo) => {
    const lock = await repo.lock({ exclusive: true, waitMs: cli.lockWaitMs(), signal: cli.signal });
    try { return await fn(repo); } finally { await lock.release(); }
  });
}

export const registerKey: Register = (program, cli) => {
  const key = program.command("key").description("manage the passwords (key files) that open the repository")
    .addHelpText("after", helpText(["lifeboat key list", "lifeboat key add --new-password-file ~/second-pw", "lifeboat key passwd"]));
  key.command("list").description("list key files").addHelpText("after", helpText(["lifeboat key list --json"]))
    .action(async () => {
      await cli.withRepo(async (repo) => {
        const keys = await listKeys(repo, cli.signal);
        cli.emit(keys);
        cli.print(renderTable(["", "ID", "Created", "Host", "User", "KDF"], keys.map((k) => [k.current ? "*" : "", k.id.slice(0, 8), k.created, k.host, k.username, k.kdf])));
      });
    });
  key.command("add").description("add a password").option("--new-password-file <file>", "read the new password from a file")
    .addHelpText("after", helpText(["lifeboat key add --new-password-file /root/offsite-pw"]))
    .action(async (o: { newPasswordFile?: string }) => {
      await exclusive(cli, async (repo) => {
        const id = await addKey(repo, await newPassword(o.newPasswordFile), kdf(), cli.signal);
        cli.emit({ message_type: "key_added", id });
        cli.print(`added key ${id.slice(0, 8)}`);
      });
    });
  key.command("remove").description("remove a password").argument("<id>", "key id (a unique prefix)")
    .addHelpText("after", helpText(["lifeboat key remove 3ac1e0f2"]))
    .action(async (prefix: string) => {
      await exclusive(cli, async (repo) => {
        const id = await resolveKey(repo, prefix, cli.signal);
        await removeKey(repo, id, cli.signal);
        cli.emit({ message_type: "key_removed", id });
        cli.print(`removed key ${id.slice(0, 8)}`);
      });
    });
  key.command("passwd").description("change the password used now (adds the new key, then removes the old)")
    .option("--new-password-file <file>", "read the new password from a file")
    .addHelpText("after", helpText(["lifeboat key passwd --new-password-file ~/new-pw"]))
    .action(async (o: { newPasswordFile?: string }) => {
      await exclusive(cli, async (repo) => {
        const id = await addKey(repo, await newPassword(o.newPasswordFile), kdf(), cli.signal);
        // The new key is durable before the old one goes: a crash between leaves both valid.
        await repo.backend.remove({ type: "key", name: repo.keyName! }, { signal: cli.signal });
        cli.emit({ message_type: "key_changed", id, removed: repo.keyName });
        cli.print(`password changed: new key ${id.slice(0, 8)}, removed ${repo.keyName!.slice(0, 8)}`);
      });
    });
};
