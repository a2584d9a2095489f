// The SD card through the engine's `require("fs")` and `E.openFile`
// (docs/engine.md, "Files and flash"), shaped as firmware/src/fs/file-system.ts.
import type { FileSystem } from "../fs/file-system.js";

/** Mounts the card; nothing in `sdCard` works before this. */
export function mountSdCard(spi: SPI, chipSelect: Pin): void {
  E.connectSDCard(spi, chipSelect);
}

/** Mounts the card on SPI1 with these pin numbers; without pins, on SPI1 as it is and chip select D5 (DeviceConfig.sd). */
export function mountSdCardOn(pins?: { sck: number; miso: number; mosi: number; cs: number }): void {
  if (pins) SPI1.setup({ sck: pins.sck, miso: pins.miso, mosi: pins.mosi });
  E.connectSDCard(SPI1, pins ? pins.cs : D5);
}

/** The engine's file system module; `fs()` rather than a constant, so a bundle that never touches the card never loads it. */
const fs = (): EspruinoFs => require("fs");

export const sdCard: FileSystem = {
  append: (path, data) => {
    // The engine reports a write that stored nothing with false, not an error.
    if (!fs().appendFileSync(path, data)) throw new Error("cannot write " + path);
  },
  list: (dir) => {
    // The engine's own array, not a filtered copy: with hundreds of log
    // files a copy costs hundreds of variables more (docs/device-logger.md).
    // The Linux engine answers undefined for a missing directory where the
    // device throws.
    const names = fs().readdirSync(dir);
    if (!names) throw new Error("cannot list " + dir);
    return names;
  },
  stat: (path) => fs().statSync(path),
  remove: (path) => {
    fs().unlinkSync(path);
  },
  makeDir: (path) => {
    fs().mkdirSync(path);
  },
  openReader: (path) => {
    const file = E.openFile(path, "r");
    if (!file) throw new Error("cannot open " + path);
    return file;
  },
};
