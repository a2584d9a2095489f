// The SD card through the engine's `require("fs")` and `E.openFile`
// (docs/engine.md, "Files and flash"), shaped as firmware/src/fs/file-system.ts.
import type { FileReader, FileSystem } from "../fs/file-system.js";

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

/** Some of the engine's file calls answer a failure with a falsy value rather than an error. */
function checked<T>(answer: T | undefined | false, failure: string): T {
  if (!answer) throw new Error("cannot " + failure);
  return answer as T;
}

export const sdCard: FileSystem = {
  append: (path, data) => {
    checked(fs().appendFileSync(path, data), "write " + path);
  },
  // The engine's own array, not a filtered copy: with hundreds of log
  // files a copy costs hundreds of variables more (docs/device-logger.md).
  // The Linux engine answers undefined for a missing directory where the
  // device throws.
  list: (dir) => checked(fs().readdirSync(dir), "list " + dir),
  stat: (path) => fs().statSync(path),
  remove: (path) => {
    fs().unlinkSync(path);
  },
  makeDir: (path) => {
    fs().mkdirSync(path);
  },
  // The engine's File is the FileReader (its read and close).
  openReader: (path) => checked<FileReader>(E.openFile(path, "r"), "open " + path),
};
