// HMAC-SHA256 (RFC 2104) over a one-shot SHA-256. The engine hashes only in
// one shot and has no HMAC (docs/engine.md, "Files and flash"), so the hash
// is handed in: the engine's on the device (platform/crypto.ts), Node's in
// tests. Keys, messages and digests are binary strings, one char per byte.

/** SHA-256 of a binary string: the 32-byte digest as a binary string. */
export type Sha256 = (data: string) => string;

const BLOCK_BYTES = 64;
const HEX_DIGITS = "0123456789abcdef";

export function hmacSha256(sha256: Sha256, key: string, message: string): string {
  // RFC 2104 section 2: a key longer than the block is hashed first.
  if (key.length > BLOCK_BYTES) key = sha256(key);
  const chr = String.fromCharCode;
  let inner = "";
  let outer = "";
  for (let i = 0; i < BLOCK_BYTES; i++) {
    // Past the key's end charCodeAt gives NaN, which ^ takes as 0: the
    // zero padding RFC 2104 asks for.
    const byte = key.charCodeAt(i);
    inner += chr(byte ^ 0x36);
    outer += chr(byte ^ 0x5c);
  }
  return sha256(outer + sha256(inner + message));
}

/** Lowercase hex of a binary string. */
export function toHex(binary: string): string {
  let hex = "";
  // 256 + byte always has three hex digits; the first is the 1 dropped.
  for (let i = 0; i < binary.length; i++) hex += (256 + binary.charCodeAt(i)).toString(16).slice(1);
  return hex;
}

/** The bytes of a hex string (either case); undefined when it is not hex. */
export function fromHex(hex: string): string | undefined {
  if (hex.length % 2) return undefined;
  const lower = hex.toLowerCase();
  let binary = "";
  for (let i = 0; i < lower.length; i += 2) {
    const high = HEX_DIGITS.indexOf(lower.charAt(i));
    const low = HEX_DIGITS.indexOf(lower.charAt(i + 1));
    if (high < 0 || low < 0) return undefined;
    binary += String.fromCharCode(high * 16 + low);
  }
  return binary;
}

/**
 * Compares two MACs without stopping at the first difference, so the time
 * taken does not tell a forger how many leading characters were right.
 */
export function sameMac(a: string, b: string): boolean {
  // Lengths that differ make a difference too; the loop then compares with
  // NaN past b's end, which ^ takes as 0.
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return !difference;
}
