/**
 * @module backup/vanished.test
 * An agent backup captures a SQLite database through a temporary `.lifeboat-capture-*`
 * copy beside it while another item may be walking that same folder: the walk can list the
 * copy and find it gone a moment later. An entry the item leaves out anyway must not count
 * as an unreadable file (that made the whole backup exit 3); a vanished file the item would
 * have captured still does.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { buildExclude } from "../sources/exclude.ts";
import { createTestRepo } from "../testing/repo.ts";
import { Archiver, type ArchiveScope } from "./archiver.ts";
import { archiverRepo } from "./session.ts";

test("an excluded entry that vanishes between listing and lstat is no error; a captured one is", async () => {
  const t = await createTestRepo();
  try {
    const base = join(t.dir, "agent");
    const errors: string[] = [];
    const scope: ArchiveScope = { base, exclude: buildExclude({}), sha256: {}, excluded: [], files: 0, bytes: 0 };
    await t.repo.withUploader(async (saver) => {
      const a = new Archiver(saver, archiverRepo(t.repo), t.repo.chunkerPolicy(), { onError: (p) => errors.push(p) });
      // Neither path exists: what archiveDir meets when an entry it listed has just been removed.
      for (const name of [".lifeboat-capture-0123456789abcdef.sqlite", ".lifeboat-capture-0123456789abcdef.sqlite-journal", "state.db-journal", "notes.md"]) {
        assert.equal(await a.archive(join(base, name), name, undefined, scope), null);
      }
      assert.equal(a.counts.errors, 1);
    });
    assert.deepEqual(errors, [join(base, "notes.md")], "only the file the item would have captured is reported");
  } finally {
    await t.repo.close();
    await t.cleanup();
  }
});
