/**
 * @module ui/table.test
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { displayWidth, renderTable } from "./table.ts";

test("renderTable: restic snapshots layout", () => {
  const out = renderTable(["ID", "Time", "Host", "Tags", "Paths"], [
    ["40dc1520", "2015-05-08 21:38:30", "kasimir", "", "/home/user/work"],
    ["79766175", "2015-05-08 21:40:19", "luigi", "a,b", "/home/user/work\n/srv"],
  ]);
  assert.equal(out, [
    "ID        Time                 Host     Tags  Paths",
    "-------------------------------------------------------------",
    "40dc1520  2015-05-08 21:38:30  kasimir        /home/user/work",
    "79766175  2015-05-08 21:40:19  luigi    a,b   /home/user/work",
    "                                              /srv",
    "-------------------------------------------------------------",
    "",
  ].join("\n"));
});

test("renderTable: no rows, short rows, colours and wide headers", () => {
  assert.equal(renderTable(["Name", "Size"], []), "Name  Size\n----------\n----------\n");
  assert.equal(renderTable(["A", "LongHeader"], [["x"]]), "A  LongHeader\n-------------\nx\n-------------\n");
  assert.equal(renderTable(["C"], [["\x1b[31mred\x1b[0m"], ["ab"]]).split("\n")[0], "C");
  assert.equal(displayWidth("\x1b[1mé…\x1b[0m"), 2);
});
