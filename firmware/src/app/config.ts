// The device's settings, written into Storage by provisioning (today the
// local stack does it for emulated devices) and read at boot.
// Credentials sit in their own Storage files, as DER binary strings, so the
// app can hand them to tls.connect without copying them into RAM.

/** Storage file names. Storage names are at most 28 characters. */
export const CONFIG_FILE = "ferry.json";
export const DEVICE_KEY_FILE = "ferry.hmac"; // 32-byte HMAC key, binary
export const CLIENT_KEY_FILE = "ferry.key"; // DER
export const CLIENT_CERT_FILE = "ferry.crt"; // DER
export const CA_CERT_FILE = "ferry.ca"; // DER (the engine does not verify it)

/** The JSON in CONFIG_FILE. @wire */
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
  /**
   * SD card on SPI (pin numbers: 18 for D18). Omitted: the card is connected
   * on SPI1 as it is set up already, with chip select D5. The engine on an
   * ESP32 mounts no card by itself; the emulator's default board, which has
   * no SD wiring, accepts any pins.
   */
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
    /** Seconds to wait for a presign reply; the file waits for the next round after that. Default 20. */
    presignTimeoutSeconds?: number;
    /** Seconds of silence before an HTTP request to the bucket fails (connect, response, between drains). Default 30. */
    httpTimeoutSeconds?: number;
    /**
     * Seconds a file waits after its first failure; the wait doubles with each
     * further failure up to `retryMaxSeconds`, less up to half at random so a
     * fleet does not retry in step. An expired URL is not a failure of the
     * file: it is asked for again in the next round. Default 60.
     */
    retrySeconds?: number;
    /** The longest wait between attempts at one file. Default 3600. */
    retryMaxSeconds?: number;
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
