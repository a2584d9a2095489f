// Broken variants of real boards: each must be refused with a message that
// names the file, the field, and what it must be.
import { describe, expect, it } from "vitest";
import { BoardError, validateBoard } from "../../host-tools/src/boards/index.js";
import { boardJson, type Json } from "./board-files.js";

const SOURCE = "boards/broken.json";

interface Broken {
  name: string;
  board: "esp32-devkitc" | "esp32-wrover-kit";
  breakIt(board: Json): void;
  field: string;
  says: RegExp;
}

const BROKEN: Broken[] = [
  // Types and presence.
  { name: "a pin given as a string", board: "esp32-wrover-kit", breakIt: (b) => { b.sdCard.cs = "5"; }, field: "sdCard.cs", says: /must be a GPIO number 0-39, got "5"/ },
  { name: "a pin beyond GPIO39", board: "esp32-wrover-kit", breakIt: (b) => { b.sdCard.sck = 40; }, field: "sdCard.sck", says: /must be a GPIO number 0-39, got 40/ },
  { name: "a missing id", board: "esp32-devkitc", breakIt: (b) => { delete b.id; }, field: "id", says: /is missing: it must be lower-case words joined by dashes/ },
  { name: "an id with spaces and capitals", board: "esp32-devkitc", breakIt: (b) => { b.id = "ESP32 DevKit"; }, field: "id", says: /got "ESP32 DevKit"/ },
  { name: "a misspelt field", board: "esp32-devkitc", breakIt: (b) => { b.sdcard = b.sdCard; }, field: "sdcard", says: /is not a known field/ },
  { name: "a misspelt nested field", board: "esp32-wrover-kit", breakIt: (b) => { b.led.active_high = true; }, field: "led.active_high", says: /is not a known field \(expected only pin, activeHigh\)/ },
  { name: "another chip", board: "esp32-devkitc", breakIt: (b) => { b.chip = "ESP32-S3"; }, field: "chip", says: /must be "ESP32", got "ESP32-S3"/ },
  { name: "no sources", board: "esp32-devkitc", breakIt: (b) => { b.sources = []; }, field: "sources", says: /must be a non-empty list/ },
  { name: "an unknown flash mode", board: "esp32-devkitc", breakIt: (b) => { b.flash.mode = "fast"; }, field: "flash.mode", says: /one of "qio", "qout", "dio", "dout", got "fast"/ },
  { name: "an offset given as a number", board: "esp32-devkitc", breakIt: (b) => { b.images[1].offset = 32768; }, field: "images[1].offset", says: /must be a hex string such as "0x1000", got 32768/ },
  { name: "an offset without 0x", board: "esp32-devkitc", breakIt: (b) => { b.images[1].offset = "8000"; }, field: "images[1].offset", says: /hex string/ },
  { name: "an SD card over SD mode", board: "esp32-wrover-kit", breakIt: (b) => { b.sdCard.interface = "sdmmc"; }, field: "sdCard.interface", says: /must be "spi", got "sdmmc"/ },
  { name: "an LED polarity as text", board: "esp32-wrover-kit", breakIt: (b) => { b.led.activeHigh = "yes"; }, field: "led.activeHigh", says: /must be true or false, got "yes"/ },
  { name: "sdCard left out instead of null", board: "esp32-devkitc", breakIt: (b) => { delete b.sdCard; }, field: "sdCard", says: /is missing: it must be null or an object/ },
  { name: "psram as a string", board: "esp32-devkitc", breakIt: (b) => { b.psram = "no"; }, field: "psram", says: /must be true or false/ },

  // Pins the ESP32 cannot use this way.
  { name: "a pin on the SPI flash bus", board: "esp32-wrover-kit", breakIt: (b) => { b.sdCard.cs = 6; }, field: "sdCard.cs", says: /GPIO6, one of GPIO6-11 that carry the module's SPI flash/ },
  { name: "the LED on the SPI flash bus", board: "esp32-devkitc", breakIt: (b) => { b.led = { pin: 11, activeHigh: true }; }, field: "led.pin", says: /GPIO11, one of GPIO6-11/ },
  { name: "a PSRAM pin on a WROVER board", board: "esp32-wrover-kit", breakIt: (b) => { b.sdCard.cs = 16; }, field: "sdCard.cs", says: /GPIO16, which the WROVER module uses for its PSRAM/ },
  { name: "the PSRAM clock as the LED", board: "esp32-wrover-kit", breakIt: (b) => { b.led.pin = 17; }, field: "led.pin", says: /GPIO17, which the WROVER module uses for its PSRAM/ },
  { name: "an input-only SCK", board: "esp32-wrover-kit", breakIt: (b) => { b.sdCard.sck = 34; }, field: "sdCard.sck", says: /GPIO34, an input-only pin .* cannot be the SD card's SCK/ },
  { name: "an input-only MOSI", board: "esp32-wrover-kit", breakIt: (b) => { b.sdCard.mosi = 35; }, field: "sdCard.mosi", says: /cannot be the SD card's MOSI/ },
  { name: "an input-only CS", board: "esp32-wrover-kit", breakIt: (b) => { b.sdCard.cs = 36; }, field: "sdCard.cs", says: /cannot be the SD card's CS/ },
  { name: "an input-only LED", board: "esp32-devkitc", breakIt: (b) => { b.led = { pin: 39, activeHigh: true }; }, field: "led.pin", says: /GPIO39, an input-only pin .* cannot be an LED/ },
  { name: "a pin the modules do not bring out", board: "esp32-wrover-kit", breakIt: (b) => { b.sdCard.miso = 24; }, field: "sdCard.miso", says: /GPIO24, which the ESP32 modules do not bring out/ },
  { name: "the console's TX pin", board: "esp32-devkitc", breakIt: (b) => { b.led = { pin: 1, activeHigh: true }; }, field: "led.pin", says: /GPIO1, UART0 TX: the engine's console/ },
  { name: "two SD lines on one pin", board: "esp32-wrover-kit", breakIt: (b) => { b.sdCard.mosi = 14; }, field: "sdCard.mosi", says: /GPIO14, already used as sdCard.sck/ },
  { name: "the LED on an SD line (the kit's green LED is DATA0)", board: "esp32-wrover-kit", breakIt: (b) => { b.led.pin = 2; }, field: "led.pin", says: /GPIO2, already used as sdCard.miso/ },

  // Flash layout.
  { name: "a flash size no chip has", board: "esp32-devkitc", breakIt: (b) => { b.flash.size = 3000000; }, field: "flash.size", says: /must be a flash chip size: .*4194304 \(4 MB\).*got 3000000/ },
  { name: "an image off a sector boundary", board: "esp32-devkitc", breakIt: (b) => { b.images[1].offset = "0x8100"; }, field: "images[1].offset", says: /must start on a 4 KB flash sector .*got "0x8100"/ },
  { name: "overlapping images", board: "esp32-devkitc", breakIt: (b) => { b.images[1].offset = "0x7000"; }, field: "images[1]", says: /partitions_espruino\.bin, 0x7000-0x8000\) overlaps images\[0\] \(bootloader\.bin, 0x1000-0x8000\)/ },
  { name: "an image past the end of flash", board: "esp32-devkitc", breakIt: (b) => { b.images[2].maxSize = 4 * 1024 * 1024; }, field: "images[2]", says: /ends past the 4 MB flash \(0x400000\)/ },
  { name: "Storage past the end of flash", board: "esp32-devkitc", breakIt: (b) => { b.storage.offset = "0x330000"; }, field: "storage", says: /\(0x330000-0x410000\) ends past the 4 MB flash/ },
  { name: "Storage over the engine image", board: "esp32-devkitc", breakIt: (b) => { b.storage.offset = "0x100000"; }, field: "storage", says: /overlaps images\[2\] \(espruino_esp32\.bin, 0x10000-0x190000\)/ },
  { name: "Storage in part sectors", board: "esp32-devkitc", breakIt: (b) => { b.storage.size = 917000; }, field: "storage.size", says: /must be whole 4 KB sectors/ },
  { name: "no bootloader at 0x1000", board: "esp32-devkitc", breakIt: (b) => { b.images.shift(); }, field: "images", says: /must include an image at 0x1000/ },
  { name: "the same image twice", board: "esp32-devkitc", breakIt: (b) => { b.images[2].file = "bootloader.bin"; }, field: "images[2].file", says: /"bootloader\.bin" is already images\[0\]/ },

  // The engine's memory.
  { name: "a PSRAM store on a board without PSRAM", board: "esp32-devkitc", breakIt: (b) => { b.variables = 16383; }, field: "variables", says: /must be at most 4095, the engine's store on an ESP32 without PSRAM; got 16383/ },
  { name: "two TLS sessions without PSRAM", board: "esp32-devkitc", breakIt: (b) => { b.tlsSessions = 2; }, field: "tlsSessions", says: /must be at most 1: 2 TLS sessions take about 4720 variables .* the store holds 4095/ },
  { name: "a store too small for any TLS session", board: "esp32-devkitc", breakIt: (b) => { b.variables = 1000; }, field: "variables", says: /must leave room for one TLS session/ },
];

describe("validateBoard refuses", () => {
  it.each(BROKEN)("$name ($field)", ({ board, breakIt, field, says }) => {
    const value = boardJson(board);
    breakIt(value);
    let thrown: unknown;
    try {
      validateBoard(value, SOURCE);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BoardError);
    const error = thrown as BoardError;
    expect(error.source).toBe(SOURCE);
    const problem = error.problems.find((p) => p.field === field);
    expect(problem, error.message).toBeDefined();
    expect(problem?.message).toMatch(says);
    expect(error.message).toContain(`${SOURCE}: ${field} ${problem?.message}`);
  });

  it("a value that is not an object, naming only the file", () => {
    expect(() => validateBoard([], SOURCE)).toThrow(/^boards\/broken\.json: must be a JSON object describing one board, got an empty list$/);
  });

  it("reports every problem at once, one line each", () => {
    const value = boardJson("esp32-wrover-kit");
    value.sdCard.cs = 6;
    value.led.pin = 36;
    expect(() => validateBoard(value, SOURCE)).toThrow(
      /^boards\/broken\.json: sdCard\.cs is GPIO6.*\nboards\/broken\.json: led\.pin is GPIO36/,
    );
  });
});

describe("validateBoard accepts", () => {
  it("GPIO16 and GPIO17 on a board without PSRAM", () => {
    const value = boardJson("esp32-devkitc");
    value.sdCard = { interface: "spi", sck: 18, miso: 19, mosi: 23, cs: 16 };
    value.led = { pin: 17, activeHigh: true };
    expect(validateBoard(value, SOURCE).sdCard?.cs).toBe(16);
  });

  it("an input-only pin as MISO, which the ESP32 only reads", () => {
    const value = boardJson("esp32-devkitc");
    value.sdCard = { interface: "spi", sck: 18, miso: 34, mosi: 23, cs: 5 };
    expect(validateBoard(value, SOURCE).sdCard?.miso).toBe(34);
  });

  it("a board without the optional notes and $schema", () => {
    const value = boardJson("lolin-d32-pro");
    delete value.notes;
    delete value.$schema;
    const board = validateBoard(value, SOURCE);
    expect(board.notes).toBeUndefined();
    expect(board.id).toBe("lolin-d32-pro");
  });
});
