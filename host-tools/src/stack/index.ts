// The local stack: broker, store, presigner and emulated devices in one
// process (docs/local-stack.md), and the way another process joins it.
export { startLocalStack, DEFAULT_DEVICE_COUNT, type LocalStack, type LocalStackOptions } from "./local-stack.js";
export { joinLocalStack, type JoinedStack, type JoinOptions, type JoinTarget } from "./join.js";
export { Fleet, type StackEvents } from "./fleet.js";
export { SimDevice } from "./sim-device.js";
export type { BucketSummary, DeviceObjects } from "./bucket-summary.js";
export type { DeviceProgress } from "./progress.js";
export type { DeviceReport, DeviceState } from "./device-reports.js";
export { writeSampleLogs, LOG_DIR, type SampleFile } from "./sample-logs.js";
export { DEFAULT_STACK_FILE, readStackState, type StackEndpoints, type StackState } from "./state-file.js";
export { LiveBlock, formatBytes, progressLine, reportLine, samplesIntact, summaryLines } from "./terminal-view.js";
export { ProgressDisplay, type DisplayOptions, type ProgressSource } from "./progress-display.js";
