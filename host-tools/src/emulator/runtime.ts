// The services one emulated device offers to the engine modules (net, tls,
// fs, Storage, Wifi...). The Device owns one DeviceRuntime per boot; modules
// receive it instead of reaching for globals, so a power cut or reboot can
// drop everything a boot created in one place.
import type { BoardDefinition } from "../boards/types.js";

/**
 * The engine's console output when the variable store is exhausted, as
 * printed by Espruino 2v29 inside an event handler. On the engine this is not
 * an exception: the running callback is abandoned and later events still run.
 */
export const OUT_OF_MEMORY_MESSAGE = "OUT OF MEMORY";
export const OUT_OF_MEMORY_CONSOLE = [
  OUT_OF_MEMORY_MESSAGE,
  "Execution Interrupted during event processing.",
  "New interpreter error: LOW_MEMORY,MEMORY",
].join("\n");

/** Raised inside the device when the engine would run out of memory. */
export class EngineOutOfMemory extends Error {
  constructor(readonly reason: string) {
    super(OUT_OF_MEMORY_MESSAGE);
    this.name = "Error";
  }
}

/**
 * The fixed variable store of the board. Only the consumers the profile has
 * figures for are counted (TLS sessions, unsent socket output); the app's own
 * heap lives in V8 and is not modelled.
 */
export class VariableStore {
  private used = 0;

  constructor(readonly total: number) {}

  get usage(): number {
    return this.used;
  }

  get free(): number {
    return this.total - this.used;
  }

  /** Takes `count` variables; false when they do not fit. */
  tryReserve(count: number): boolean {
    if (count > this.free) return false;
    this.used += count;
    return true;
  }

  release(count: number): void {
    this.used = Math.max(0, this.used - count);
  }
}

export interface DeviceRuntime {
  readonly board: BoardDefinition;
  readonly variables: VariableStore;
  /** Budget in bytes for unsent socket output summed over all sockets. */
  readonly socketBufferBudget: number;
  /** True once this boot has been ended by load(), reboot or a power cut. */
  readonly stopped: boolean;
  /**
   * Runs an engine callback (an event handler, a timer) as the engine's idle
   * loop would: errors are reported on the console as uncaught and do not
   * escape into Node. Does nothing once the boot has stopped.
   */
  dispatch(fn: () => void): void;
  /** Prints engine output on the device console. */
  print(text: string): void;
  /**
   * The engine ran out of memory: prints its message, marks the device, and
   * throws EngineOutOfMemory into the running device code.
   */
  outOfMemory(reason: string): never;
  /** Registers cleanup for when this boot ends (sockets closed, timers cleared). */
  onStop(cleanup: () => void): void;
  /** Reads a file from the SD card as a binary string; undefined if there is no card or file. */
  readSdFile(path: string): string | undefined;
  /**
   * False while the Wi-Fi station has no address, so nothing on the network
   * can be reached. Absent: the network is taken to be up.
   */
  readonly networkUp?: boolean;
}
