/**
 * @module testing
 * Test helpers published as `lifeboat/testing`: the backend contract suite, the
 * fault-injecting backend, and a fast throwaway repository.
 */
export { describeBackendContract, type ContractEnv } from "./backendContract.ts";
export { faultyBackend, flipBit, type FaultyBackend } from "./faultyBackend.ts";
export { createTestRepo, type TestRepo } from "./repo.ts";
export { writeTree, hashTree, type TreeSpec, type HashedEntry } from "./tree.ts";
export * as fixtures from "./fixtures/index.ts";
export { startHttpSink, startSmtpSink, closedPort, type HttpSink, type SmtpSink, type SinkRequest, type SinkMail, type SmtpFault } from "./notifysinks.ts";
export { notifierContract, assertNotifyError, contractMessage, CONTRACT_SECRET, type NotifierContractEnv, type Scenario } from "./notifierContract.ts";
