// The device emulator: an ESP32 running the Espruino engine, for tests and
// `ferry run`.
export { Device, DeviceEvalError, type DeviceOptions } from "./device.js";
export { DEFAULT_BOARD } from "./default-board.js";
export type { BootKind } from "./boot-sequence.js";
export type { BootSession } from "./session.js";
export { PinBank } from "./pins.js";
export { SdCard } from "./sdcard.js";
export { StorageArea, StorageError, type StorageStats } from "./storage.js";
export { WifiRadio, type AccessPoint } from "./wifi-radio.js";
export { EngineOutOfMemory, OUT_OF_MEMORY_MESSAGE, VariableStore, type DeviceRuntime } from "./runtime.js";
