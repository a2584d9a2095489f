// The engine's strings are 8-bit: every char is one byte (0-255), so binary
// data moves as strings (espruino-profile.md, "Strings are 8-bit byte
// strings"). These conversions keep that contract at the host boundary.
// Values may come from the device's realm, so nothing here relies on
// `instanceof` against host constructors.

export function binaryToBuffer(text: string): Buffer {
  return Buffer.from(text, "latin1");
}

export function bufferToBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** Source text as the engine receives it: its UTF-8 bytes, one char each. */
export function utf8ToBinary(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return Object.prototype.toString.call(value) === "[object ArrayBuffer]";
}

/**
 * The bytes of a value the way the engine's `JSV_GET_AS_CHAR_ARRAY` reads
 * them: a string char by char, a typed array or ArrayBuffer as its raw
 * bytes, an array element by element (each taken modulo 256). Anything else
 * is read as its string form.
 */
export function bytesOf(value: unknown): Buffer {
  if (typeof value === "string") return binaryToBuffer(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (isArrayBuffer(value)) return Buffer.from(new Uint8Array(value));
  if (Array.isArray(value)) return Buffer.from(value.map((n) => Number(n) & 0xff));
  return binaryToBuffer(String(value));
}

export function binaryOf(value: unknown): string {
  return typeof value === "string" ? value : bytesOf(value).toString("latin1");
}
