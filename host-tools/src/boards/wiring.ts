// Pin assignments that cannot work on an ESP32, whatever the board: each
// rule below is a wiring mistake that compiles, flashes, and then hangs the
// chip or silently never lights or reads anything.
import type { BoardProblem } from "./board-error.js";
import {
  ABSENT_GPIOS,
  CONSOLE_GPIOS,
  FLASH_BUS_GPIOS,
  INPUT_ONLY_GPIOS,
  PSRAM_GPIOS,
} from "./esp32.js";
import type { BoardDefinition } from "./types.js";

interface PinUse {
  field: string;
  gpio: number;
  /** False for lines the ESP32 only reads (MISO). */
  drives: boolean;
}

export function checkWiring(board: BoardDefinition): BoardProblem[] {
  const uses = pinUses(board);
  const problems: BoardProblem[] = [];
  for (const use of uses) {
    const problem = checkPin(use, board.psram);
    if (problem !== undefined) problems.push({ field: use.field, message: problem });
  }
  problems.push(...sharedPins(uses));
  return problems;
}

function pinUses(board: BoardDefinition): PinUse[] {
  const uses: PinUse[] = [];
  if (board.sdCard !== null) {
    const { sck, miso, mosi, cs } = board.sdCard;
    uses.push(
      { field: "sdCard.sck", gpio: sck, drives: true },
      { field: "sdCard.miso", gpio: miso, drives: false },
      { field: "sdCard.mosi", gpio: mosi, drives: true },
      { field: "sdCard.cs", gpio: cs, drives: true },
    );
  }
  if (board.led !== null) uses.push({ field: "led.pin", gpio: board.led.pin, drives: true });
  return uses;
}

function checkPin(use: PinUse, psram: boolean): string | undefined {
  const { gpio } = use;
  if (ABSENT_GPIOS.includes(gpio)) {
    return `is GPIO${gpio}, which the ESP32 modules do not bring out: pick another pin`;
  }
  if (FLASH_BUS_GPIOS.includes(gpio)) {
    return `is GPIO${gpio}, one of GPIO6-11 that carry the module's SPI flash: using it stops the chip. Pick another pin`;
  }
  if (psram && PSRAM_GPIOS.includes(gpio)) {
    return `is GPIO${gpio}, which the WROVER module uses for its PSRAM (GPIO16 chip select, GPIO17 clock): pick another pin, or set psram to false if the board has none`;
  }
  if (CONSOLE_GPIOS.includes(gpio)) {
    return `is GPIO${gpio}, UART0 ${gpio === 1 ? "TX" : "RX"}: the engine's console, which provisioning and the monitor talk through. Pick another pin`;
  }
  if (use.drives && INPUT_ONLY_GPIOS.includes(gpio)) {
    return `is GPIO${gpio}, an input-only pin (GPIO34-39 have no output driver): it cannot be ${roleOf(use.field)}. Use it for MISO or pick another pin`;
  }
  return undefined;
}

function roleOf(field: string): string {
  if (field === "led.pin") return "an LED";
  return `the SD card's ${field.slice("sdCard.".length).toUpperCase()}`;
}

function sharedPins(uses: PinUse[]): BoardProblem[] {
  const problems: BoardProblem[] = [];
  uses.forEach((use, index) => {
    const first = uses.slice(0, index).find((earlier) => earlier.gpio === use.gpio);
    if (first !== undefined) {
      problems.push({
        field: use.field,
        message: `is GPIO${use.gpio}, already used as ${first.field}: every SD line and the LED need a pin of their own`,
      });
    }
  });
  return problems;
}
