// One boot of the device: a fresh engine-shaped context and everything the
// boot creates (timers, queued events, open files, sockets, listeners). Its
// end, by load(), reset(), a reboot or a power cut, drops all of it in one
// place; callbacks queued before then never run.
import type { BoardDefinition } from "../boards/types.js";
import { bufferToBinary } from "./binary.js";
import type { BootKind } from "./boot-sequence.js";
import { createEngineContext, hideBuiltins } from "./context.js";
import type { EngineScope } from "./engine-scope.js";
import { EngineEvents } from "./events.js";
import { installGlobals } from "./globals.js";
import { createNetModules, type NetModules } from "./net/index.js";
import { createEnginePromise } from "./promise.js";
import type { DeviceRealm } from "./realm.js";
import { EngineOutOfMemory, VariableStore, type DeviceRuntime } from "./runtime.js";
import type { PinBank } from "./pins.js";
import type { SdCard } from "./sdcard.js";
import { SdMount } from "./sd-mount.js";
import { withoutStrictMode } from "./source.js";
import type { StorageArea } from "./storage.js";
import { TimerTable } from "./timers.js";
import { deviceFrame, describeThrown } from "./uncaught.js";
import type { WifiRadio } from "./wifi-radio.js";

/** What outlives a boot: the chip, its flash, card, radio and pins. */
export interface Hardware {
  readonly board: BoardDefinition;
  flash(): StorageArea;
  readonly card: SdCard;
  readonly radio: WifiRadio;
  readonly pins: PinBank;
  console(text: string): void;
  /** The engine ran out of memory; the device is marked. */
  outOfMemory(reason: string): void;
  /** Ends this boot once the current task is done and starts the next one. */
  restart(next: BootKind | { kind: "reboot" }): void;
}

/**
 * The engine's report when its variable store runs out (jsvNewWithFlags and
 * jsiCheckErrors; measured on 2v29, docs/engine.md): "OUT OF
 * MEMORY" and the place, then, once the task is abandoned, that execution
 * was interrupted, and the new error flags the first time they are set.
 */
const OUT_OF_MEMORY = "OUT OF MEMORY";
const INTERRUPTED_IN_EVENT = "Execution Interrupted during event processing.\n";
const INTERRUPTED = "Execution Interrupted\n";
const MEMORY_FLAGS = "New interpreter error: LOW_MEMORY,MEMORY\n";

export class BootSession implements DeviceRuntime, EngineScope {
  readonly variables: VariableStore;
  readonly realm: DeviceRealm;
  readonly events: EngineEvents;
  readonly timers: TimerTable;
  readonly mount: SdMount;
  private readonly cleanups: (() => void)[] = [];
  private readonly immediates = new Set<NodeJS.Immediate>();
  private ended = false;
  /** The engine's error flags (jsErrorFlags): set by running out of memory, cleared by E.getErrorFlags(). */
  private readonly errorFlags = new Set<string>();
  private sockets: NetModules | undefined;

  constructor(
    readonly hardware: Hardware,
    readonly socketBufferBudget: number,
  ) {
    this.variables = new VariableStore(hardware.board.variables);
    this.realm = createEngineContext();
    this.events = new EngineEvents({
      enqueue: (job) => this.enqueue(job),
      typeError: (message) => this.realm.error(message, "TypeError"),
    });
    this.events.install(this.realm.objectPrototype);
    this.installPromise();
    this.timers = new TimerTable({
      active: () => !this.ended,
      dispatch: (fn) => this.dispatch(fn),
      evaluate: (code) => this.realm.run(code, "timer"),
      error: (message) => this.realm.error(message),
    });
    this.mount = new SdMount(hardware.card, hardware.board);
    this.onStop(() => this.mount.unmount());
    installGlobals(this);
  }

  get board(): BoardDefinition {
    return this.hardware.board;
  }

  get stopped(): boolean {
    return this.ended;
  }

  /** `require("net")` and `require("tls")` of this boot, made on first use. */
  network(): NetModules {
    this.sockets ??= createNetModules(this);
    return this.sockets;
  }

  /** This boot's sockets, if it opened any. */
  get openedNetwork(): NetModules | undefined {
    return this.sockets;
  }

  /** False while the station has no address: nothing on the network can be reached. */
  get networkUp(): boolean {
    return this.hardware.radio.connected;
  }

  dispatch(fn: () => void): void {
    this.runTask(fn, INTERRUPTED_IN_EVENT);
  }

  enqueue(job: () => void): void {
    queueMicrotask(() => this.dispatch(job));
  }

  idle(job: () => void): void {
    if (this.ended) return;
    const handle = setImmediate(() => {
      this.immediates.delete(handle);
      this.dispatch(job);
    });
    this.immediates.add(handle);
  }

  print(text: string): void {
    this.hardware.console(text);
  }

  outOfMemory(reason: string): never {
    const frame = deviceFrame(new Error());
    this.print(`${OUT_OF_MEMORY}${frame ?? ""}\n`);
    this.hardware.outOfMemory(reason);
    throw new EngineOutOfMemory(reason);
  }

  onStop(cleanup: () => void): void {
    if (this.ended) cleanup();
    else this.cleanups.push(cleanup);
  }

  readSdFile(path: string): string | undefined {
    const bytes = this.mount.readWhole(path);
    return bytes === undefined ? undefined : bufferToBinary(bytes);
  }

  guard<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      try {
        return fn(...args);
      } catch (thrown) {
        throw this.toDeviceError(thrown);
      }
    };
  }

  /** Runs a script of device code as the engine evaluates boot code; errors are reported, not thrown. */
  runScript(code: string, filename: string): void {
    this.runTask(() => this.realm.run(withoutStrictMode(code), filename), INTERRUPTED);
  }

  private runTask(fn: () => void, interrupted: string): void {
    if (this.ended) return;
    try {
      fn();
    } catch (thrown) {
      if (!(thrown instanceof EngineOutOfMemory)) {
        this.reportUncaught(thrown);
        return;
      }
      this.print(interrupted);
      // jsiCheckErrors reports the flags only when they change.
      if (!this.errorFlags.has("MEMORY")) this.print(MEMORY_FLAGS);
      this.errorFlags.add("LOW_MEMORY").add("MEMORY");
    }
  }

  /** `E.getErrorFlags()`: the flags set since the last call, which clears them. */
  takeErrorFlags(): string[] {
    const flags = [...this.errorFlags];
    this.errorFlags.clear();
    return flags;
  }

  /**
   * Reports an exception nothing caught: `process.on('uncaughtException')`
   * listeners get it if there are any, otherwise the console shows it.
   */
  reportUncaught(thrown: unknown): void {
    if (thrown instanceof EngineOutOfMemory) return;
    const process = this.realm.global.process;
    const listeners = typeof process === "object" && process !== null ? this.events.listenersOf(process, "uncaughtException") : [];
    if (listeners.length > 0) {
      try {
        for (const listener of listeners) listener.call(process, thrown);
        return;
      } catch (again) {
        thrown = again;
      }
    }
    const frame = deviceFrame(thrown);
    this.print(`Uncaught ${describeThrown(thrown)}\n${frame ? `${frame}\n` : ""}`);
  }

  stop(): void {
    if (this.ended) return;
    this.ended = true;
    this.timers.clearAll();
    for (const handle of this.immediates) clearImmediate(handle);
    this.immediates.clear();
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch (failure) {
        this.print(`Uncaught ${describeThrown(failure)}\n`);
      }
    }
  }

  private toDeviceError(thrown: unknown): unknown {
    if (thrown instanceof EngineOutOfMemory || !(thrown instanceof Error)) return thrown;
    return this.realm.error(thrown.message, thrown instanceof TypeError ? "TypeError" : "Error");
  }

  private installPromise(): void {
    const EnginePromise = createEnginePromise({
      enqueue: (job) => this.enqueue(job),
      unhandled: (reason) => this.reportUncaught(this.realm.error(`Unhandled promise rejection: ${describeThrown(reason)}`)),
      error: (message, kind) => this.realm.error(message, kind),
      array: (items) => this.realm.array(items),
    });
    Object.setPrototypeOf(EnginePromise.prototype, this.realm.objectPrototype);
    this.realm.global.Promise = hideBuiltins(EnginePromise, "Promise");
  }
}
