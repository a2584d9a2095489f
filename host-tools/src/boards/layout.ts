// Where the images and the engine's Storage sit in flash: every region must
// start on a sector, fit the chip, and leave the others alone, or flashing
// one image erases the start of the next.
import type { BoardProblem } from "./board-error.js";
import {
  BOOTLOADER_OFFSET,
  FLASH_CHIP_SIZES,
  FLASH_SECTOR_BYTES,
  formatBytes,
  formatOffset,
} from "./esp32.js";
import type { BoardDefinition } from "./types.js";

interface Region {
  field: string;
  /** The image file; empty for Storage, whose field name already says it. */
  label: string;
  start: number;
  end: number;
}

export function checkFlashLayout(board: BoardDefinition): BoardProblem[] {
  const problems: BoardProblem[] = [];
  const flashSize = board.flash.size;
  if (!FLASH_CHIP_SIZES.includes(flashSize)) {
    problems.push({
      field: "flash.size",
      message: `must be a flash chip size: ${FLASH_CHIP_SIZES.map((s) => `${s} (${formatBytes(s)})`).join(", ")}; got ${flashSize}`,
    });
  }

  const regions: Region[] = board.images.map((image, index) => {
    const start = Number.parseInt(image.offset, 16);
    return { field: `images[${index}]`, label: image.file, start, end: start + image.maxSize };
  });
  const storageStart = Number.parseInt(board.storage.offset, 16);
  regions.push({ field: "storage", label: "", start: storageStart, end: storageStart + board.storage.size });

  for (const region of regions) {
    const offsetField = `${region.field}.offset`;
    if (region.start % FLASH_SECTOR_BYTES !== 0) {
      problems.push({
        field: offsetField,
        message: `must start on a 4 KB flash sector (a multiple of 0x1000), got "${formatOffset(region.start)}"`,
      });
    }
    if (region.end > flashSize) {
      problems.push({
        field: region.field,
        message: `(${describeRegion(region)}) ends past the ${formatBytes(flashSize)} flash (${formatOffset(flashSize)}): move it or shrink it`,
      });
    }
  }
  if (board.storage.size % FLASH_SECTOR_BYTES !== 0) {
    problems.push({ field: "storage.size", message: `must be whole 4 KB sectors (a multiple of 4096), got ${board.storage.size}` });
  }

  problems.push(...overlaps(regions), ...repeatedFiles(board), ...missingBootloader(regions));
  return problems;
}

function overlaps(regions: Region[]): BoardProblem[] {
  const problems: BoardProblem[] = [];
  regions.forEach((region, index) => {
    for (const earlier of regions.slice(0, index)) {
      if (region.start < earlier.end && earlier.start < region.end) {
        problems.push({
          field: region.field,
          message: `(${describeRegion(region)}) overlaps ${earlier.field} (${describeRegion(earlier)}): writing one would erase the other`,
        });
      }
    }
  });
  return problems;
}

function repeatedFiles(board: BoardDefinition): BoardProblem[] {
  const problems: BoardProblem[] = [];
  board.images.forEach((image, index) => {
    const first = board.images.findIndex((other) => other.file === image.file);
    if (first !== index) {
      problems.push({ field: `images[${index}].file`, message: `"${image.file}" is already images[${first}]: list each image once` });
    }
  });
  return problems;
}

function missingBootloader(regions: Region[]): BoardProblem[] {
  const images = regions.filter((region) => region.field !== "storage");
  if (images.some((image) => image.start === BOOTLOADER_OFFSET)) return [];
  return [
    {
      field: "images",
      message: `must include an image at ${formatOffset(BOOTLOADER_OFFSET)}: the ESP32 ROM starts the bootloader from there, so without it the chip never boots`,
    },
  ];
}

function describeRegion(region: Region): string {
  const range = `${formatOffset(region.start)}-${formatOffset(region.end)}`;
  return region.label === "" ? range : `${region.label}, ${range}`;
}
