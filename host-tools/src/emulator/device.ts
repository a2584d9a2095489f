// An emulated ESP32 running the Espruino engine: flash Storage and an SD
// card that persist in host files, a Wi-Fi radio, and boots of device code
// in an engine-shaped context. Power can be cut at any await point; what
// completed Storage and SD calls wrote is all that survives.
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BoardDefinition } from "../boards/types.js";
import { DEFAULT_SOCKET_BUFFER_BUDGET } from "../engine/profile.js";
import { utf8ToBinary } from "./binary.js";
import { bootScripts, type BootKind } from "./boot-sequence.js";
import { DEFAULT_BOARD } from "./default-board.js";
import { PinBank } from "./pins.js";
import { SdCard } from "./sdcard.js";
import type { SocketMonitor } from "./net/index.js";
import { BootSession, type Hardware } from "./session.js";
import { StorageArea } from "./storage.js";
import { describeThrown } from "./uncaught.js";
import { WifiRadio, type AccessPoint } from "./wifi-radio.js";

export interface DeviceOptions {
  /** Default: a no-PSRAM ESP32 (4,095 variables, one TLS session, 896 KB Storage, no LED). */
  board?: BoardDefinition;
  /** File backing Storage across boots and devices; default: a fresh temporary file. */
  storagePath?: string;
  /** Directory backing the SD card; null: no card inserted; default: a fresh empty card. */
  sdPath?: string | null;
  /** Access points in range. */
  wifi?: { networks: AccessPoint[] };
  /** Unsent socket output, in bytes over all sockets, before the engine runs out of memory. */
  socketBufferBudget?: number;
  onConsole?: (text: string) => void;
}

/** Thrown by `Device.eval` when the code throws; the console shows it as the REPL would. */
export class DeviceEvalError extends Error {
  override name = "DeviceEvalError";
}

const DEFAULT_WAIT_MS = 10_000;
const TRANSCRIPT_TAIL = 2_000;

/** Events: "console"(text), "boot", "stop", "oom"(reason). */
export class Device extends EventEmitter {
  readonly board: BoardDefinition;
  readonly sdCard: SdCard;
  /** The radio and the access points around it; tests make Wi-Fi fail through it. */
  readonly wifi: WifiRadio;
  /** GPIO levels the app drove, the LED included. */
  readonly pins: PinBank;
  private transcript = "";
  private oom = false;
  private session: BootSession | undefined;
  private flash: StorageArea | undefined;
  private pendingBoot: NodeJS.Immediate | undefined;
  private closed = false;
  private readonly socketBufferBudget: number;

  private constructor(
    options: DeviceOptions,
    private readonly storagePath: string,
    sdPath: string | null,
    private readonly temporary: string[],
  ) {
    super();
    this.board = options.board ?? DEFAULT_BOARD;
    this.sdCard = new SdCard(sdPath);
    this.wifi = new WifiRadio(options.wifi?.networks ?? []);
    this.pins = new PinBank(this.board.led);
    this.socketBufferBudget = options.socketBufferBudget ?? DEFAULT_SOCKET_BUFFER_BUDGET;
    if (options.onConsole) this.on("console", options.onConsole);
  }

  static async create(options: DeviceOptions = {}): Promise<Device> {
    const temporary: string[] = [];
    const fresh = (prefix: string): string => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      temporary.push(dir);
      return dir;
    };
    const storagePath = options.storagePath ?? join(fresh("ferry-storage-"), "storage.bin");
    const sdPath = options.sdPath === undefined ? fresh("ferry-sd-") : options.sdPath;
    const device = new Device(options, storagePath, sdPath, temporary);
    // Opening Storage now reports a storage file that does not fit the board before anything runs.
    device.storage.getFree();
    return device;
  }

  /** The console transcript since the device was created. */
  get output(): string {
    return this.transcript;
  }

  get outOfMemory(): boolean {
    return this.oom;
  }

  get running(): boolean {
    return this.session !== undefined;
  }

  /** The flash Storage area as the host sees it: read it, or provision files into it. */
  get storage(): StorageArea {
    this.checkOpen();
    if (!this.flash) {
      this.flash = StorageArea.open(this.storagePath, this.board.storage.size);
      // jsfCompactInternal prints this, then a newline when done.
      this.flash.onCompaction = () => this.print("Compacting... \n");
    }
    return this.flash;
  }

  /** The sockets of the current boot, for inspection; undefined until the app requires net or tls. */
  get sockets(): SocketMonitor | undefined {
    return this.session?.openedNetwork?.monitor;
  }

  /** The runtime of the current boot, for the engine modules; undefined while the device is off. */
  get runtime(): BootSession | undefined {
    return this.session;
  }

  /** Writes the app as `.bootcde`, as provisioning does: the source's UTF-8 bytes, one char each. */
  install(code: string): void {
    if (code.length === 0) this.storage.erase(".bootcde");
    else this.storage.write(".bootcde", utf8ToBinary(code));
  }

  /** Powers the device on (power-cycling it if it runs): boot code, `init` listeners, then `onInit()`. */
  boot(): void {
    this.checkOpen();
    if (this.session) this.powerCut();
    this.start({ kind: "power-on" });
  }

  /**
   * Cuts the power now: timers, queued callbacks, sockets and RAM are gone,
   * and Storage is read back from its host file at the next boot.
   */
  powerCut(): void {
    if (this.pendingBoot) clearImmediate(this.pendingBoot);
    this.pendingBoot = undefined;
    this.endSession();
    this.wifi.powerDown();
    this.pins.reset();
    this.flash?.close();
    this.flash = undefined;
  }

  /** Runs code in the device's context, as typed at the REPL. */
  eval(code: string): unknown {
    const session = this.session;
    if (!session) throw new Error("The device is off: call boot() first");
    try {
      return session.realm.run(code, "REPL");
    } catch (thrown) {
      session.reportUncaught(thrown);
      throw new DeviceEvalError(describeThrown(thrown));
    }
  }

  /**
   * Resolves with the transcript once it contains `match` (or `match`
   * accepts it); rejects with the transcript's tail after `timeoutMs`.
   */
  waitForOutput(match: string | ((output: string) => boolean), timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
    const matches = typeof match === "string" ? (output: string) => output.includes(match) : match;
    if (matches(this.transcript)) return Promise.resolve(this.transcript);
    return new Promise((resolve, reject) => {
      const onConsole = (): void => {
        if (!matches(this.transcript)) return;
        clearTimeout(timer);
        this.off("console", onConsole);
        resolve(this.transcript);
      };
      const timer = setTimeout(() => {
        this.off("console", onConsole);
        const wanted = typeof match === "string" ? JSON.stringify(match) : "the expected output";
        reject(new Error(`Waited ${timeoutMs} ms for ${wanted}; the console ends with:\n${this.transcript.slice(-TRANSCRIPT_TAIL)}`));
      }, timeoutMs);
      this.on("console", onConsole);
    });
  }

  /** Powers off and removes the temporary files the device made. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.powerCut();
    this.closed = true;
    for (const path of this.temporary) rmSync(path, { recursive: true, force: true });
  }

  private start(next: BootKind): void {
    const session = new BootSession(this.hardware(), this.socketBufferBudget);
    this.session = session;
    this.pins.reset();
    this.emit("boot");
    for (const script of bootScripts(next, this.storage)) session.runScript(script.code, script.name);
    // Boot code may have ended this boot already, by load() or reset().
    if (session.stopped) return;
    const E = session.realm.global.E as object;
    session.dispatch(() => session.events.emitNow(E, "init"));
    const onInit = session.realm.global.onInit;
    if (typeof onInit === "function" && !session.stopped) {
      session.print("Running onInit()...\n");
      session.dispatch(() => onInit());
    }
    if (next.kind === "load" && next.file !== undefined && !session.stopped) {
      session.realm.global.__FILE__ = next.file;
      const code = this.storage.read(next.file);
      if (code !== undefined) session.runScript(code, next.file);
    }
  }

  private endSession(): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    session.stop();
    this.emit("stop");
  }

  /** load(), reset() and E.reboot(): this boot ends now; the next starts on the next turn. */
  private restart(next: BootKind | { kind: "reboot" }): void {
    this.endSession();
    if (next.kind === "reboot") {
      this.wifi.powerDown();
      this.pins.reset();
    }
    if (this.pendingBoot) clearImmediate(this.pendingBoot);
    this.pendingBoot = setImmediate(() => {
      this.pendingBoot = undefined;
      if (!this.closed) this.start(next.kind === "reboot" ? { kind: "power-on" } : next);
    });
  }

  private print(text: string): void {
    this.transcript += text;
    this.emit("console", text);
  }

  private hardware(): Hardware {
    return {
      board: this.board,
      flash: () => this.storage,
      card: this.sdCard,
      radio: this.wifi,
      pins: this.pins,
      console: (text) => this.print(text),
      outOfMemory: (reason) => {
        this.oom = true;
        this.emit("oom", reason);
      },
      restart: (next) => this.restart(next),
    };
  }

  private checkOpen(): void {
    if (this.closed) throw new Error("The device was closed: create a new one");
  }
}
