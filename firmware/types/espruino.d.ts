// The Espruino 2v29 API the firmware uses, as the engine provides it on an
// ESP32 (docs/engine.md). Only the platform layer
// (firmware/src/platform/) touches these; the logic above it is plain
// TypeScript. Binary data is a string of byte values 0-255.

declare function print(...values: unknown[]): void;
declare const console: { log(...values: unknown[]): void };
/** Seconds since boot (or since the clock was set), with fractions. */
declare function getTime(): number;
/** Extra arguments are passed to the callback (the engine supports this, as browsers do). */
declare function setTimeout<A extends unknown[]>(callback: (...args: A) => void, ms?: number, ...args: A): number;
declare function setInterval(callback: () => void, ms: number): number;
/**
 * Stops one timer. With no argument it stops every timer and interval;
 * `clearTimeout(undefined)` throws ("not allowed"), so an id that may be
 * unset must be tested first (measured on 2v29).
 */
declare function clearTimeout(id: number): void;
declare function clearTimeout(): void;
declare function clearInterval(id: number): void;
declare function clearInterval(): void;
declare function changeInterval(id: number, ms: number): void;
declare function btoa(binary: string): string;
declare function atob(base64: string): string;
/** Restarts the JS interpreter and runs `.bootcde` from Storage again. */
declare function load(file?: string): void;
declare function reset(clearFlash?: boolean): void;
declare function digitalWrite(pin: Pin, value: boolean | number): void;
declare function digitalRead(pin: Pin): number;
declare function pinMode(pin: Pin, mode: "input" | "output" | "input_pullup" | "input_pulldown" | "auto"): void;

declare class Pin {
  private readonly __pin: never;
  write(value: boolean | number): void;
  read(): boolean;
}
declare const D0: Pin;
declare const D1: Pin;
declare const D2: Pin;
declare const D3: Pin;
declare const D4: Pin;
declare const D5: Pin;
declare const D6: Pin;
declare const D7: Pin;
declare const D8: Pin;
declare const D9: Pin;
declare const D10: Pin;
declare const D11: Pin;
declare const D12: Pin;
declare const D13: Pin;
declare const D14: Pin;
declare const D15: Pin;
declare const D16: Pin;
declare const D17: Pin;
declare const D18: Pin;
declare const D19: Pin;
declare const D20: Pin;
declare const D21: Pin;
declare const D22: Pin;
declare const D23: Pin;
declare const D24: Pin;
declare const D25: Pin;
declare const D26: Pin;
declare const D27: Pin;
declare const D28: Pin;
declare const D29: Pin;
declare const D30: Pin;
declare const D31: Pin;
declare const D32: Pin;
declare const D33: Pin;
declare const D34: Pin;
declare const D35: Pin;
declare const D36: Pin;
declare const D37: Pin;
declare const D38: Pin;
declare const D39: Pin;

// The engine takes a pin number wherever it takes a pin (18 for D18).
interface SpiSetup {
  sck?: Pin | number;
  miso?: Pin | number;
  mosi?: Pin | number;
  baud?: number;
  mode?: number;
}
declare class SPI {
  private readonly __spi: never;
  setup(options: SpiSetup): void;
}
declare const SPI1: SPI;
declare const SPI2: SPI;

interface MemoryStatus {
  free: number;
  usage: number;
  total: number;
  history?: number;
}

declare const process: {
  memory(gc?: boolean): MemoryStatus;
  readonly env: { readonly VERSION: string; readonly BOARD: string; readonly [key: string]: unknown };
  readonly version: string;
};

/** A file opened with E.openFile. */
interface EspruinoFile {
  /** Up to `length` bytes as a string; undefined at the end of the file. */
  read(length: number): string | undefined;
  write(data: string): number;
  seek(offset: number): void;
  skip(bytes: number): void;
  close(): void;
  pipe(destination: { write(data: string): unknown }, options?: { chunkSize?: number; end?: boolean; complete?: () => void }): void;
}

interface EspruinoE {
  toString(...data: (string | number | number[] | Uint8Array | ArrayBuffer)[]): string;
  toUint8Array(...data: (string | number | number[] | Uint8Array | ArrayBuffer)[]): Uint8Array;
  getSizeOf(value: unknown, depth?: number): number;
  setBootCode(code: string, alwaysExec?: boolean): void;
  reboot(): void;
  on(event: "init" | "kill", handler: () => void): void;
  connectSDCard(spi?: SPI, csPin?: Pin | number): void;
  unmountSD(): void;
  openFile(path: string, mode: "r" | "w" | "a"): EspruinoFile | undefined;
  hwRand(): number;
}
declare const E: EspruinoE;

interface StorageStats {
  totalBytes: number;
  freeBytes: number;
  fileBytes: number;
  fileCount: number;
  trashBytes: number;
  trashCount: number;
}
interface EspruinoStorage {
  /** A string mapped from flash (no RAM), or undefined if there is no such file. */
  read(name: string, offset?: number, length?: number): string | undefined;
  readJSON(name: string, noExceptions?: boolean): unknown;
  readArrayBuffer(name: string): ArrayBuffer | undefined;
  /** The first write with `size` creates a size-byte file; later writes fill it at `offset`. */
  write(name: string, data: string | Uint8Array, offset?: number, size?: number): boolean;
  writeJSON(name: string, data: unknown): boolean;
  list(pattern?: RegExp | string): string[];
  erase(name: string): void;
  eraseAll(): void;
  getFree(): number;
  getStats(): StorageStats;
  compact(): void;
}

interface FileStat {
  size: number;
  dir: boolean;
  mtime: Date;
}
interface EspruinoFs {
  readdirSync(path?: string): string[];
  statSync(path: string): FileStat | undefined;
  readFileSync(path: string): string;
  writeFileSync(path: string, data: string): boolean;
  appendFileSync(path: string, data: string): boolean;
  unlinkSync(path: string): boolean;
  mkdirSync(path: string): boolean;
}

interface SocketError {
  code: number;
  message: string;
}
interface EspruinoSocket {
  /** Always false on the engine: the data is buffered in RAM until sent; wait for `drain`. */
  write(data: string): boolean;
  end(data?: string): void;
  on(event: "data", handler: (data: string) => void): void;
  on(event: "connect" | "drain" | "end", handler: () => void): void;
  on(event: "close", handler: (hadError: boolean) => void): void;
  on(event: "error", handler: (error: SocketError) => void): void;
}
interface NetConnectOptions {
  host: string;
  port: number;
}
interface TlsConnectOptions extends NetConnectOptions {
  /** DER as a binary string, or a PEM file name (at most 100 chars) on the SD card. */
  ca?: string;
  key?: string;
  cert?: string;
}
interface EspruinoNet {
  connect(options: NetConnectOptions, onConnect?: () => void): EspruinoSocket;
}
interface EspruinoTls {
  connect(options: TlsConnectOptions, onConnect?: () => void): EspruinoSocket;
}

interface WifiDetails {
  status: string;
  ssid?: string;
}
interface EspruinoWifi {
  connect(ssid: string, options: { password?: string }, callback: (error: string | null) => void): void;
  disconnect(callback?: () => void): void;
  getStatus(): { station: string; [key: string]: unknown };
  getIP(callback?: (error: string | null, ip: { ip: string; netmask: string; gw: string; mac: string }) => void): { ip: string; netmask: string; gw: string; mac: string };
  getDetails(callback?: (details: WifiDetails) => void): WifiDetails;
  on(event: "connected" | "disconnected", handler: (details: unknown) => void): void;
}

interface EspruinoCrypto {
  SHA1(data: string | ArrayBuffer | Uint8Array): ArrayBuffer;
  SHA256(data: string | ArrayBuffer | Uint8Array): ArrayBuffer;
  SHA512(data: string | ArrayBuffer | Uint8Array): ArrayBuffer;
}

declare function require(module: "Storage"): EspruinoStorage;
declare function require(module: "fs"): EspruinoFs;
declare function require(module: "net"): EspruinoNet;
declare function require(module: "tls"): EspruinoTls;
declare function require(module: "Wifi"): EspruinoWifi;
declare function require(module: "crypto"): EspruinoCrypto;
