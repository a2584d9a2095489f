// Checks that a parsed board file has every field of BoardDefinition with the
// right type, and no field it does not know (a misspelt "sdcard" would
// otherwise read as "no SD card"). Wiring and flash layout come after this,
// in wiring.ts and layout.ts, once the types can be trusted.
import type { BoardProblem } from "./board-error.js";
import { HIGHEST_GPIO } from "./esp32.js";

type Fields = Record<string, unknown>;

interface Expectation {
  /** Said after "must be": what a valid value looks like. */
  expected: string;
  accept(value: unknown): boolean;
}

const BOARD_ID: Expectation = {
  expected: 'lower-case words joined by dashes, e.g. "esp32-devkitc"',
  accept: (value) => typeof value === "string" && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(value),
};
const TEXT: Expectation = {
  expected: "a non-empty string",
  accept: (value) => typeof value === "string" && value.trim() !== "",
};
const TEXT_LIST: Expectation = {
  expected: "a list of non-empty strings",
  accept: (value) => Array.isArray(value) && value.every((item) => TEXT.accept(item)),
};
const SOURCE_LIST: Expectation = {
  expected: "a non-empty list of the documents the pins come from",
  accept: (value) => TEXT_LIST.accept(value) && (value as unknown[]).length > 0,
};
const HEX_OFFSET: Expectation = {
  expected: 'a hex string such as "0x1000"',
  accept: (value) => typeof value === "string" && /^0x[0-9a-fA-F]+$/.test(value),
};
const BYTE_COUNT: Expectation = {
  expected: "a positive whole number of bytes",
  accept: (value) => Number.isSafeInteger(value) && (value as number) > 0,
};
const COUNT: Expectation = {
  expected: "a whole number of at least 1",
  accept: (value) => Number.isSafeInteger(value) && (value as number) >= 1,
};
const FLAG: Expectation = { expected: "true or false", accept: (value) => typeof value === "boolean" };
const GPIO: Expectation = {
  expected: `a GPIO number 0-${HIGHEST_GPIO}`,
  accept: (value) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= HIGHEST_GPIO,
};
const IMAGE_FILE: Expectation = {
  expected: 'the name of an image file ending in ".bin"',
  accept: (value) => typeof value === "string" && /^[^/\\]+\.bin$/.test(value),
};

function oneOf(...choices: string[]): Expectation {
  return {
    expected: choices.length === 1 ? JSON.stringify(choices[0]) : `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`,
    accept: (value) => typeof value === "string" && choices.includes(value),
  };
}

const BOARD_FIELDS = [
  "$schema", "id", "name", "chip", "module", "sources", "flash", "images", "storage",
  "psram", "variables", "tlsSessions", "sdCard", "led", "notes",
];

export function checkShape(value: unknown): BoardProblem[] {
  const shape = new ShapeCheck();
  const board = shape.object(value, "", "a JSON object describing one board", BOARD_FIELDS);
  if (board === undefined) return shape.problems;

  shape.field(board, "id", "id", BOARD_ID);
  shape.field(board, "name", "name", TEXT);
  shape.field(board, "chip", "chip", oneOf("ESP32"));
  shape.field(board, "module", "module", TEXT);
  shape.field(board, "sources", "sources", SOURCE_LIST);
  shape.optional(board, "$schema", "$schema", TEXT);
  shape.optional(board, "notes", "notes", TEXT_LIST);
  shape.field(board, "psram", "psram", FLAG);
  shape.field(board, "variables", "variables", COUNT);
  shape.field(board, "tlsSessions", "tlsSessions", COUNT);

  const flash = shape.required(board, "flash", "flash", "an object {size, mode, frequency}", ["size", "mode", "frequency"]);
  if (flash !== undefined) {
    shape.field(flash, "size", "flash.size", BYTE_COUNT);
    shape.field(flash, "mode", "flash.mode", oneOf("qio", "qout", "dio", "dout"));
    shape.field(flash, "frequency", "flash.frequency", oneOf("40m", "80m", "26m", "20m"));
  }

  const storage = shape.required(board, "storage", "storage", "an object {offset, size}", ["offset", "size"]);
  if (storage !== undefined) {
    shape.field(storage, "offset", "storage.offset", HEX_OFFSET);
    shape.field(storage, "size", "storage.size", BYTE_COUNT);
  }

  checkImages(shape, board.images);

  const sdCard = shape.nullable(board, "sdCard", "sdCard", "null or an object {interface, sck, miso, mosi, cs}", [
    "interface", "sck", "miso", "mosi", "cs",
  ]);
  if (sdCard !== undefined) {
    shape.field(sdCard, "interface", "sdCard.interface", oneOf("spi"));
    for (const line of ["sck", "miso", "mosi", "cs"]) shape.field(sdCard, line, `sdCard.${line}`, GPIO);
  }

  const led = shape.nullable(board, "led", "led", "null or an object {pin, activeHigh}", ["pin", "activeHigh"]);
  if (led !== undefined) {
    shape.field(led, "pin", "led.pin", GPIO);
    shape.field(led, "activeHigh", "led.activeHigh", FLAG);
  }
  return shape.problems;
}

function checkImages(shape: ShapeCheck, images: unknown): void {
  const expected = "a non-empty list of {file, offset, maxSize}";
  if (!Array.isArray(images) || images.length === 0) {
    shape.report("images", images, expected);
    return;
  }
  images.forEach((item, index) => {
    const path = `images[${index}]`;
    const image = shape.object(item, path, "an object {file, offset, maxSize}", ["file", "offset", "maxSize"]);
    if (image === undefined) return;
    shape.field(image, "file", `${path}.file`, IMAGE_FILE);
    shape.field(image, "offset", `${path}.offset`, HEX_OFFSET);
    shape.field(image, "maxSize", `${path}.maxSize`, BYTE_COUNT);
  });
}

class ShapeCheck {
  readonly problems: BoardProblem[] = [];

  report(path: string, value: unknown, expected: string): void {
    const message = value === undefined ? `is missing: it must be ${expected}` : `must be ${expected}, got ${describe(value)}`;
    this.problems.push({ field: path, message });
  }

  field(fields: Fields, key: string, path: string, expectation: Expectation): void {
    if (!expectation.accept(fields[key])) this.report(path, fields[key], expectation.expected);
  }

  optional(fields: Fields, key: string, path: string, expectation: Expectation): void {
    if (fields[key] !== undefined) this.field(fields, key, path, expectation);
  }

  /** Checks a plain object and names every key it does not know. */
  object(value: unknown, path: string, expected: string, known: readonly string[]): Fields | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.report(path, value, expected);
      return undefined;
    }
    const fields = value as Fields;
    for (const key of Object.keys(fields)) {
      if (!known.includes(key)) {
        this.problems.push({
          field: path === "" ? key : `${path}.${key}`,
          message: `is not a known field (expected only ${known.filter((k) => k !== "$schema").join(", ")})`,
        });
      }
    }
    return fields;
  }

  required(fields: Fields, key: string, path: string, expected: string, known: readonly string[]): Fields | undefined {
    return this.object(fields[key], path, expected, known);
  }

  /** `null` is a valid answer ("the board has none"); a missing key is not. */
  nullable(fields: Fields, key: string, path: string, expected: string, known: readonly string[]): Fields | undefined {
    if (fields[key] === null) return undefined;
    return this.object(fields[key], path, expected, known);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object" && value !== null) return "an object";
  return JSON.stringify(value);
}
