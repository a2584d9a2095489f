// The globals the engine defines on an ESP32: console output, timers, time,
// base64 over byte strings, `E`, `process`, `require`, `load`/`reset`, the
// SPI buses and the GPIO pins `D0`..`D39`.
import { VARIABLE_STORE } from "../engine/profile.js";
import type { BootKind } from "./boot-sequence.js";
import { formatPrint } from "./console-format.js";
import { createCryptoModule } from "./crypto.js";
import { createEspruinoObject } from "./espruino-object.js";
import { createFsModule } from "./fs-module.js";
import { createRequire } from "./modules.js";
import { isPin, PIN_COUNT } from "./pins.js";
import type { BootSession } from "./session.js";
import { createStorageModule, storageName } from "./storage-module.js";
import { createWifiModule } from "./wifi.js";

/** The engine's version, as `process.version` and `process.env.VERSION` give it. */
export const ENGINE_VERSION = "2v29";
const ENGINE_COMMIT = "6106910b8";

export function installGlobals(session: BootSession): void {
  const { realm, hardware, timers } = session;
  const global = realm.global;
  const define = (values: Record<string, unknown>): void => {
    for (const [name, value] of Object.entries(values)) {
      global[name] = typeof value === "function" ? session.guard(value as (...args: unknown[]) => unknown) : value;
    }
  };
  const print = (...values: unknown[]): void => session.print(formatPrint(values, realm));
  const restart = (next: BootKind): void => hardware.restart(next);

  define({
    global,
    print,
    setTimeout: (callback: unknown, ms: unknown, ...args: unknown[]) => timers.setTimeout(callback, ms, args),
    setInterval: (callback: unknown, ms: unknown, ...args: unknown[]) => timers.setInterval(callback, ms, args),
    clearTimeout: (...args: unknown[]) => timers.clear(args, "Timeout"),
    clearInterval: (...args: unknown[]) => timers.clear(args, "Interval"),
    changeInterval: (id: unknown, ms: unknown) => timers.changeInterval(id, ms),
    // Seconds since 1970 with sub-millisecond resolution, like the engine's clock.
    getTime: () => (performance.timeOrigin + performance.now()) / 1000,
    btoa: (binary: unknown) => Buffer.from(String(binary), "latin1").toString("base64"),
    atob: (base64: unknown) => Buffer.from(String(base64), "base64").toString("latin1"),
    load: (file?: unknown) => restart(file === undefined ? { kind: "load" } : { kind: "load", file: storageName(file) }),
    // reset(true) also erases the saved code (jswrap_interface_reset, jsfRemoveCodeFromFlash).
    reset: (clearFlash?: unknown) => {
      if (clearFlash) {
        session.print("Erasing saved code.");
        for (const name of [".varimg", ".bootcde", ".bootrst"]) hardware.flash().erase(name);
        session.print("\nDone!\n");
      }
      restart({ kind: "reset" });
    },
    digitalWrite: (pin: unknown, value: unknown) => {
      if (!isPin(pin)) throw new Error("Invalid pin");
      hardware.pins.write(pin, typeof value === "number" ? (value & 1) === 1 : Boolean(value));
    },
    digitalRead: (pin: unknown) => {
      if (!isPin(pin)) throw new Error("Invalid pin");
      return hardware.pins.level(pin) ? 1 : 0;
    },
    pinMode: (pin: unknown, mode: unknown) => {
      if (!isPin(pin)) throw new Error("Invalid pin");
      if (mode === undefined) return hardware.pins.mode(pin) ?? "input";
      hardware.pins.setMode(pin, String(mode));
      return undefined;
    },
    getPinMode: (pin: unknown) => (isPin(pin) ? (hardware.pins.mode(pin) ?? "input") : undefined),
  });
  const log = global.print;
  global.console = realm.object({ log, debug: log, info: log, warn: log, error: log });

  for (let pin = 0; pin < PIN_COUNT; pin++) global[`D${pin}`] = pin;
  if (hardware.board.led) global.LED1 = hardware.board.led.pin;
  for (const name of ["SPI1", "SPI2"]) {
    const bus = realm.object();
    bus.setup = session.guard(() => undefined);
    global[name] = bus;
  }

  global.process = realm.object({
    version: ENGINE_VERSION,
    env: realm.object({
      VERSION: ENGINE_VERSION,
      GIT_COMMIT: ENGINE_COMMIT,
      BOARD: "ESP32",
      STORAGE: hardware.board.storage.size,
      CONSOLE: "Serial1",
      MODULES: "Storage,fs,net,tls,crypto,Wifi",
    }),
    memory: session.guard(() =>
      realm.object({
        free: session.variables.free,
        usage: session.variables.usage,
        total: session.variables.total,
        history: 0,
        gc: 0,
        gctime: 0,
        blocksize: VARIABLE_STORE.bytesPerVariable,
      }),
    ),
  });

  global.E = createEspruinoObject(
    {
      flash: () => hardware.flash(),
      mount: session.mount,
      reboot: () => hardware.restart({ kind: "reboot" }),
      takeErrorFlags: () => session.takeErrorFlags(),
    },
    session,
  );

  global.require = session.guard(
    createRequire(
      {
        Storage: () => createStorageModule(() => hardware.flash(), session),
        fs: () => createFsModule(session.mount, session),
        Wifi: () => createWifiModule(hardware.radio, session, (cleanup) => session.onStop(cleanup)),
        crypto: () => createCryptoModule(session),
        net: () => session.network().net,
        tls: () => session.network().tls,
      },
      () => hardware.flash(),
      session,
    ),
  );
}
