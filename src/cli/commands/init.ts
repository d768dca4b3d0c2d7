/** @module cli/commands/init — `lifeboat init`: create a repository. */
import { LifeboatError } from "../../errors/index.ts";
import { initRepository } from "../../repository/open.ts";
import { DEFAULT_SCRYPT, TEST_SCRYPT } from "../../crypto/kdf.ts";
import { helpText } from "../context.ts";
import { generatePassword, getPassword } from "../password.ts";
import { parseSize } from "../../ui/size.ts";
import type { Register } from "./index.ts";

export const registerInit: Register = (program, cli) => {
  program.command("init")
    .description("create a new encrypted repository")
    .option("--generate-password <file>", "write a strong random password to FILE (mode 0600) and use it")
    .option("--pack-size <size>", "target pack size, e.g. 16MiB", "16MiB")
    .addHelpText("after", helpText([
      "lifeboat init --repo /mnt/backup/agent --generate-password ~/.config/lifeboat/password",
      "LIFEBOAT_PASSWORD_FILE=~/.lifeboat-pw lifeboat init --repo /srv/lifeboat",
    ]))
    .action(async (o: { generatePassword?: string; packSize: string }) => {
      const be = await cli.backend();
      const packSize = parseSize(o.packSize);
      if (packSize < 64 * 1024 || packSize > 256 * 1024 * 1024) throw new LifeboatError("--pack-size must be between 64KiB and 256MiB");
      const password = o.generatePassword
        ? await generatePassword(o.generatePassword)
        : await getPassword({ passwordFile: await cli.passwordFile(), prompt: "enter password for new repository: ", confirm: true });
      // Tests set this to keep hundreds of CLI runs fast; it weakens the key file, so it is never a flag.
      const kdf = process.env.LIFEBOAT_INSECURE_TEST_KDF === "1" ? TEST_SCRYPT : DEFAULT_SCRYPT;
      const repo = await initRepository(be, password, { packSize, kdf, cacheDir: cli.cacheDir(), signal: cli.signal });
      await repo.close();
      cli.emit({ message_type: "initialized", id: repo.config.id, repository: be.properties.location, password_file: o.generatePassword ?? null });
      cli.print(`created lifeboat repository ${repo.config.id.slice(0, 10)} at ${be.properties.location}`);
      if (o.generatePassword) {
        cli.print(`password written to ${o.generatePassword}\n` +
          "IMPORTANT: keep a copy of this password OFF this machine (password manager, paper).\n" +
          "Without it the repository cannot be read, and if this machine is lost, so is the password.");
      }
    });
};
