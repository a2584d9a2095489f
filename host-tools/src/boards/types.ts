// The shape of a board definition (boards/*.json; boards/schema.json is the
// same contract for editors). Pins are GPIO numbers. docs/boards.md explains
// every field and where each board's values come from.

export interface FlashImage {
  /** File name of the Espruino release image, e.g. "bootloader.bin". */
  file: string;
  /** Flash offset as a hex string, e.g. "0x1000". */
  offset: string;
  /**
   * Bytes the Espruino partition table leaves for this image, from its
   * offset to the next region. A flasher can refuse a file larger than this
   * before it overwrites the next region.
   */
  maxSize: number;
}

export interface SdCardPins {
  /** The engine drives the card over SPI: `E.connectSDCard(spi, cs)`. */
  interface: "spi";
  sck: number;
  miso: number;
  mosi: number;
  cs: number;
}

export interface LedPin {
  pin: number;
  /** True when driving the pin high lights the LED. */
  activeHigh: boolean;
}

export interface BoardDefinition {
  /** Lower-case words joined by dashes; equals the file name in boards/. */
  id: string;
  name: string;
  chip: "ESP32";
  module: string;
  /** Where the pin assignments come from (the vendor's documents). */
  sources: string[];
  flash: {
    /**
     * Flash chip size in bytes that every board sold under this name has
     * (the smallest variant when the vendor sells several). The Espruino
     * images are laid out for 4 MB; flash above that stays unused.
     */
    size: number;
    mode: "qio" | "qout" | "dio" | "dout";
    frequency: "40m" | "80m" | "26m" | "20m";
  };
  /** The Espruino images and where they go. */
  images: FlashImage[];
  /** The engine's Storage area in flash. */
  storage: { offset: string; size: number };
  psram: boolean;
  /** Size of the engine's variable store (JsVars). */
  variables: number;
  /** How many TLS sessions fit at once: 1 means MQTT pauses while S3 runs. */
  tlsSessions: number;
  sdCard: SdCardPins | null;
  led: LedPin | null;
  /** Wiring caveats a user must know (shared pins, strapping pins). */
  notes?: string[];
}
