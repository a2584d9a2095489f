// The board a Device emulates when none is given: a no-PSRAM ESP32 with the
// official Espruino flash layout, no SD slot wiring and no user LED.
import type { BoardDefinition } from "../boards/types.js";
import { VARIABLE_STORE } from "../engine/profile.js";

export const DEFAULT_BOARD: BoardDefinition = {
  id: "esp32-generic",
  name: "Generic ESP32 (no PSRAM)",
  chip: "ESP32",
  module: "ESP32-WROOM-32",
  sources: ["https://github.com/espruino/Espruino/blob/master/boards/ESP32.py"],
  flash: { size: 4 * 1024 * 1024, mode: "dio", frequency: "40m" },
  images: [
    { file: "bootloader.bin", offset: "0x1000", maxSize: 0x7000 },
    { file: "partitions_espruino.bin", offset: "0x8000", maxSize: 0x1000 },
    { file: "espruino_esp32.bin", offset: "0x10000", maxSize: 0x180000 },
  ],
  storage: { offset: "0x320000", size: 917504 },
  psram: false,
  variables: VARIABLE_STORE.noPsram,
  tlsSessions: 1,
  sdCard: null,
  led: null,
};
