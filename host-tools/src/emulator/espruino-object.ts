// The engine's `E` object: the parts device code uses for binary data, boot
// code, memory figures and the SD card (src/jswrap_espruino.c,
// libs/filesystem/jswrap_file.c). `E.on('init', fn)` comes from the event
// methods every object has.
import { binaryOf, bytesOf, isArrayBuffer } from "./binary.js";
import { formatPrint } from "./console-format.js";
import type { EngineScope } from "./engine-scope.js";
import { engineTypeName } from "./net/engine-errors.js";
import { isPin } from "./pins.js";
import type { FileMode, SdMount } from "./sd-mount.js";
import { deviceFile } from "./sd-file.js";
import { variablesOf } from "./size-of.js";
import type { StorageArea } from "./storage.js";

export interface EspruinoHardware {
  flash(): StorageArea;
  mount: SdMount;
  /** Restarts the chip once the current task ends. */
  reboot(): void;
  /** The error flags set since the last call ("LOW_MEMORY", "MEMORY"), clearing them. */
  takeErrorFlags(): string[];
}

/**
 * The bytes `E.toString`/`E.toUint8Array` make of their arguments: strings,
 * numbers (one byte each), arrays and buffers, `{data, count}` repeated and
 * `{callback}` called for its data.
 */
function bytesOfArguments(args: readonly unknown[], scope: EngineScope): Buffer {
  const parts: Buffer[] = [];
  const add = (value: unknown): void => {
    if (typeof value === "number") parts.push(Buffer.from([value & 0xff]));
    else if (typeof value === "string" || ArrayBuffer.isView(value) || isArrayBuffer(value)) parts.push(bytesOf(value));
    else if (Array.isArray(value)) value.forEach(add);
    else if (typeof value === "object" && value !== null && "data" in value) {
      const { data, count } = value as { data: unknown; count?: unknown };
      for (let i = 0; i < (count === undefined ? 1 : Number(count)); i++) add(data);
    } else if (typeof value === "object" && value !== null && typeof (value as { callback?: unknown }).callback === "function") {
      add((value as { callback: () => unknown }).callback());
    } else {
      throw scope.realm.error(
        `If specifying an object, it must be of the form {data : ..., count : N} or {callback : fn} - got ${formatPrint([value], scope.realm).trimEnd()}`,
        "TypeError",
      );
    }
  };
  args.forEach(add);
  return Buffer.concat(parts);
}

export function createEspruinoObject(hardware: EspruinoHardware, scope: EngineScope): Record<string, unknown> {
  const { realm } = scope;
  const E = realm.object();
  const functions: Record<string, (...args: never[]) => unknown> = {
    toString: (...args: unknown[]) => binaryOf(bytesOfArguments(args, scope)),
    toUint8Array: (...args: unknown[]) => realm.uint8Array(bytesOfArguments(args, scope)),
    getSizeOf: (value: unknown) => variablesOf(value),
    // E.setBootCode(code, alwaysExec) replaces both boot files (jsfSaveBootCodeToFlash).
    setBootCode: (code: unknown, alwaysExec: unknown) => {
      const flash = hardware.flash();
      flash.erase(".bootcde");
      flash.erase(".bootrst");
      const text = typeof code === "string" ? code : "";
      if (text.length > 0) flash.write(alwaysExec ? ".bootrst" : ".bootcde", text);
    },
    reboot: () => hardware.reboot(),
    getErrorFlags: () => realm.array(hardware.takeErrorFlags()),
    connectSDCard: (spi: unknown, chipSelect: unknown) => {
      if (typeof spi !== "object" || spi === null) {
        throw new Error(`First argument is a ${engineTypeName(spi)}, not an SPI object`);
      }
      if (!isPin(chipSelect)) throw new Error("Second argument is not a valid pin");
      hardware.mount.connect(chipSelect);
    },
    unmountSD: () => hardware.mount.unmount(),
    openFile: (path: unknown, mode: unknown) => {
      if (path === undefined) throw new Error("Path is undefined");
      const file = hardware.mount.open(String(path), mode === undefined ? "r" : (String(mode) as FileMode));
      return file ? deviceFile(file, scope) : undefined;
    },
  };
  for (const [name, fn] of Object.entries(functions)) E[name] = scope.guard(fn as (...args: unknown[]) => unknown);
  return E;
}
