// Which Storage files a boot runs, in order (jsiSemiInit, jsiSoftInit and
// jsfLoadBootCodeFromFlash in src/jsinteractive.c and src/jsflash.c): on
// power-on `.bootPowerOn` first; always `.boot0` to `.boot3`; then `.bootrst`,
// or `.bootcde` when there is no `.bootrst` and this is not a `reset()`.
// `E.on('init')` listeners and `onInit()` follow; `load(file)` runs the
// named file last, with `__FILE__` set to its name.
import type { StorageArea } from "./storage.js";

export type BootKind =
  /** Power applied, `E.reboot()`, or `Device.boot()`. */
  | { kind: "power-on" }
  /** `load()`, or `load(file)` to run one Storage file instead of the boot code. */
  | { kind: "load"; file?: string }
  /** `reset()`: the app is cleared and `.bootcde` does not run. */
  | { kind: "reset" };

export interface BootScript {
  name: string;
  code: string;
}

export function bootScripts(boot: BootKind, flash: StorageArea): BootScript[] {
  const names: string[] = [];
  if (boot.kind === "power-on") names.push(".bootPowerOn");
  names.push(".boot0", ".boot1", ".boot2", ".boot3");
  const afterReset = boot.kind === "reset" || (boot.kind === "load" && boot.file !== undefined);
  if (afterReset || flash.read(".bootrst") !== undefined) names.push(".bootrst");
  else names.push(".bootcde");
  const scripts: BootScript[] = [];
  for (const name of names) {
    const code = flash.read(name);
    if (code !== undefined) scripts.push({ name, code });
  }
  return scripts;
}
