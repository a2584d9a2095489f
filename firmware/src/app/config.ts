// The device's settings, written into Storage by provisioning (`ferry
// provision`, or the local stack for emulated devices) and read at boot.
// Credentials sit in their own Storage files, as DER binary strings, so the
// app can hand them to tls.connect without copying them into RAM.

/** Storage file names. Storage names are at most 28 characters. */
export const CONFIG_FILE = "ferry.json";
export const DEVICE_KEY_FILE = "ferry.hmac"; // 32-byte HMAC key, binary
export const CLIENT_KEY_FILE = "ferry.key"; // DER
export const CLIENT_CERT_FILE = "ferry.crt"; // DER
export const CA_CERT_FILE = "ferry.ca"; // DER (the engine does not verify it)

export interface DeviceConfig {
  deviceId: string;
  /** Topic prefix; default "ferry". */
  prefix?: string;
  wifi?: { ssid: string; password?: string };
  mqtt: {
    host: string;
    port: number;
    /** Connect with TLS and the client certificate in CLIENT_KEY_FILE/CLIENT_CERT_FILE. */
    tls?: boolean;
    /** Seconds; default 60. */
    keepalive?: number;
  };
  /** How many TLS sessions fit at once (the board's `tlsSessions`); 1 pauses MQTT during S3 work. */
  tlsSessions?: number;
  /** SD card on SPI; omitted when the card is already mounted (the emulator). */
  sd?: { sck: number; miso: number; mosi: number; cs: number };
  upload?: {
    /** Seconds between upload rounds; default 60. */
    intervalSeconds?: number;
    /** What happens to a file once the bucket holds all of it; default "delete". */
    retire?: "delete" | "move";
    /** Bytes per write to the socket; default 2048. */
    chunkSize?: number;
    /** Files per upload round; default 4. */
    batch?: number;
  };
  log?: {
    /** Rotate the current log file at this size in bytes; default 65536. */
    maxFileBytes?: number;
    /** Rotate the current log file after this many seconds; default 3600. */
    maxFileSeconds?: number;
    /** Also print log lines on the console. */
    console?: boolean;
  };
}
