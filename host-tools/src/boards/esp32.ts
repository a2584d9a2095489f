// Facts about the ESP32 chip and its WROOM/WROVER modules that decide
// whether a board's wiring can work (ESP32 datasheet, "Pin Definitions"
// and "Strapping Pins"; the module datasheets). docs/boards.md cites them.

export const HIGHEST_GPIO = 39;

/** GPIO numbers below 40 that the ESP32 modules do not bring out at all. */
export const ABSENT_GPIOS: readonly number[] = [20, 24, 28, 29, 30, 31];

/** GPIO6-11 carry the module's own SPI flash: using them stops the chip. */
export const FLASH_BUS_GPIOS: readonly number[] = [6, 7, 8, 9, 10, 11];

/** On WROVER modules GPIO16 is PSRAM chip select and GPIO17 its clock. */
export const PSRAM_GPIOS: readonly number[] = [16, 17];

/** GPIO34-39 have no output driver: they cannot clock, select or light anything. */
export const INPUT_ONLY_GPIOS: readonly number[] = [34, 35, 36, 37, 38, 39];

/**
 * UART0 (TX GPIO1, RX GPIO3) is the engine's console, which `ferry provision`
 * and `ferry monitor` talk through; wiring a peripheral there cuts them off.
 */
export const CONSOLE_GPIOS: readonly number[] = [1, 3];

/** Flash is erased in 4 KB sectors: images and Storage start on a sector. */
export const FLASH_SECTOR_BYTES = 0x1000;

/** The ESP32 ROM loads the second-stage bootloader from this offset. */
export const BOOTLOADER_OFFSET = 0x1000;

const MB = 1024 * 1024;

/** Flash chip sizes the ESP32 image header can name. */
export const FLASH_CHIP_SIZES: readonly number[] = [1 * MB, 2 * MB, 4 * MB, 8 * MB, 16 * MB];

export function formatBytes(bytes: number): string {
  if (bytes % MB === 0) return `${bytes / MB} MB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

export function formatOffset(offset: number): string {
  return `0x${offset.toString(16)}`;
}
