import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contractMessage } from "../testing/notifierContract.ts";
import { renderText, renderTitle, truncate } from "./render.ts";

describe("renderText", () => {
  it("renders the title line, the text, then agent, host, time and event", () => {
    const msg = contractMessage({ title: "wren: backups failed", text: "disk full\n" });
    assert.equal(renderText(msg), [
      "🚨 CRITICAL wren: backups failed", "", "disk full", "",
      "agent: wren", "host: box-1", "time: 2025-06-01T03:00:00.000Z", "event: backup_failed",
    ].join("\n"));
  });

  it("marks each severity and tests, and leaves out a missing agent", () => {
    assert.match(renderTitle(contractMessage({ severity: "resolved", title: "ok again" })), /^✅ resolved ok again$/);
    assert.match(renderTitle(contractMessage({ severity: "warning" })), /^⚠️ WARNING /);
    assert.match(renderTitle(contractMessage({ severity: "info", test: true })), /^ℹ️ INFO \[TEST\] /);
    const text = renderText(contractMessage({ test: true, agent: undefined }));
    assert.ok(!text.includes("agent:"));
    assert.match(text, /nothing is wrong\.$/);
  });

  it("keeps a title with line breaks on one line", () => {
    assert.equal(renderTitle(contractMessage({ title: "a\r\n  b\nc" })), "🚨 CRITICAL a b c");
  });

  it("can leave out the title line for transports that carry it apart", () => {
    assert.match(renderText(contractMessage(), { title: false }), /^The last backup failed/);
  });

  it("cuts the text, not the title or the facts, to fit a budget", () => {
    const msg = contractMessage({ text: "x".repeat(10_000) });
    for (const budget of [{ max: 4096, unit: "utf16" }, { max: 300, unit: "utf8" }] as const) {
      const out = renderText(msg, { budget });
      const size = budget.unit === "utf8" ? Buffer.byteLength(out) : out.length;
      assert.ok(size <= budget.max && size > budget.max - 8, `${size} of ${budget.max}`);
      assert.ok(out.startsWith(renderTitle(msg)));
      assert.match(out, /x\n… \(cut\)\n\nagent: wren\nhost: box-1\ntime: .*\nevent: backup_failed$/);
    }
  });

  it("still fits a budget smaller than the frame", () => {
    assert.ok(renderText(contractMessage(), { budget: { max: 20, unit: "utf8" } }).length > 0);
    assert.ok(Buffer.byteLength(renderText(contractMessage(), { budget: { max: 20, unit: "utf8" } })) <= 20);
  });
});

describe("truncate", () => {
  it("never splits a character, in UTF-16 or UTF-8", () => {
    assert.equal(truncate("🦜🦜🦜", { max: 5, unit: "utf16" }), "🦜🦜");
    assert.equal(truncate("ääää", { max: 5, unit: "utf8" }), "ää");
    assert.equal(truncate("short", { max: 5, unit: "utf8" }), "short");
  });
});
