// The engine's SHA-256: `require("crypto").SHA256` gives an ArrayBuffer
// (docs/engine.md, "Files and flash"); E.toString turns it into the binary
// string the rest of the firmware works with.
import type { Sha256 } from "../crypto/hmac.js";

export const sha256: Sha256 = (data) => E.toString(require("crypto").SHA256(data));
