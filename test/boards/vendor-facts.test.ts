// The three supported boards against their vendors' documents and the
// engine profile (docs/boards.md cites each line).
import { describe, expect, it } from "vitest";
import { loadBoard, type BoardDefinition } from "../../host-tools/src/boards/index.js";

const MB = 1024 * 1024;

function sdPins(board: BoardDefinition): number[] {
  return board.sdCard === null ? [] : [board.sdCard.sck, board.sdCard.miso, board.sdCard.mosi, board.sdCard.cs];
}

describe.each(["esp32-devkitc", "esp32-wrover-kit", "lolin-d32-pro"])("%s runs the Espruino ESP32 images", (id) => {
  it("puts the three images where the Espruino release expects them, DIO at 40 MHz", async () => {
    const board = await loadBoard(id);
    expect(board.chip).toBe("ESP32");
    expect(board.flash).toEqual({ size: 4 * MB, mode: "dio", frequency: "40m" });
    expect(board.images.map(({ file, offset }) => [file, offset])).toEqual([
      ["bootloader.bin", "0x1000"],
      ["partitions_espruino.bin", "0x8000"],
      ["espruino_esp32.bin", "0x10000"],
    ]);
  });

  it("has the engine's 896 KB Storage at 0x320000, ending at the 4 MB mark", async () => {
    const board = await loadBoard(id);
    expect(board.storage).toEqual({ offset: "0x320000", size: 917504 });
    expect(0x320000 + board.storage.size).toBe(4 * MB);
  });
});

describe("ESP32-DevKitC V4 (Espressif user guide)", () => {
  it("has a WROOM-32 without PSRAM: 4095 variables and one TLS session at a time", async () => {
    const board = await loadBoard("esp32-devkitc");
    expect(board.module).toBe("ESP32-WROOM-32");
    expect(board.psram).toBe(false);
    expect(board.variables).toBe(4095);
    expect(board.tlsSessions).toBe(1);
  });

  it("has no SD slot and no user LED", async () => {
    const board = await loadBoard("esp32-devkitc");
    expect(board.sdCard).toBeNull();
    expect(board.led).toBeNull();
  });
});

describe("ESP-WROVER-KIT V4.1 (Espressif user guide, microSD and RGB LED tables)", () => {
  it("has a WROVER module with PSRAM: 16383 variables, two TLS sessions", async () => {
    const board = await loadBoard("esp32-wrover-kit");
    expect(board.module).toMatch(/^ESP32-WROVER-E/);
    expect(board.psram).toBe(true);
    expect(board.variables).toBe(16383);
    expect(board.tlsSessions).toBe(2);
  });

  it("drives the microSD slot's SD-mode lines as SPI: CLK=SCK 14, CMD=MOSI 15, DATA0=MISO 2, DATA3=CS 13", async () => {
    const board = await loadBoard("esp32-wrover-kit");
    expect(board.sdCard).toEqual({ interface: "spi", sck: 14, mosi: 15, miso: 2, cs: 13 });
  });

  it("uses the red LED on GPIO0, active high, which shares no microSD line (green is GPIO2 = DATA0, blue GPIO4 = DATA1)", async () => {
    const board = await loadBoard("esp32-wrover-kit");
    expect(board.led).toEqual({ pin: 0, activeHigh: true });
    expect([...sdPins(board), 4, 12]).not.toContain(board.led?.pin);
  });
});

describe("LOLIN D32 Pro V2.0.0 (WEMOS page and schematic)", () => {
  it("has an ESP32-WROVER with PSRAM: 16383 variables, two TLS sessions", async () => {
    const board = await loadBoard("lolin-d32-pro");
    expect(board.module).toBe("ESP32-WROVER");
    expect(board.psram).toBe(true);
    expect(board.variables).toBe(16383);
    expect(board.tlsSessions).toBe(2);
  });

  it("has the TF slot on VSPI with TF_CS on GPIO4", async () => {
    const board = await loadBoard("lolin-d32-pro");
    expect(board.sdCard).toEqual({ interface: "spi", sck: 18, miso: 19, mosi: 23, cs: 4 });
  });

  it("has its LED on GPIO5, wired to 3.3 V so it lights when the pin is low", async () => {
    const board = await loadBoard("lolin-d32-pro");
    expect(board.led).toEqual({ pin: 5, activeHigh: false });
  });
});
