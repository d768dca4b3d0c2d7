import assert from "node:assert/strict";
import { it } from "node:test";
import { describeBackendContract } from "../../testing/backendContract.ts";
import { createMemBackend } from "./index.ts";

describeBackendContract("mem", async () => ({ backend: createMemBackend(), cleanup: async () => undefined }));

it("mem: refuses to save before create()", async () => {
  const be = createMemBackend();
  await assert.rejects(be.save({ type: "key", name: "abcd" }, Buffer.from("x")), (e) => be.isNotFound(e));
});
