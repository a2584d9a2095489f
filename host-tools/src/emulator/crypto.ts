// `require("crypto")` on the engine (libs/crypto/jswrap_crypto.c): one-shot
// hashes of a string, array or buffer, each giving an ArrayBuffer; PBKDF2
// with the engine's defaults. There is no incremental hashing, no MD5 and
// no HMAC (espruino-profile.md, "Files and flash").
import { createHash, pbkdf2Sync } from "node:crypto";
import { bytesOf } from "./binary.js";
import type { EngineScope } from "./engine-scope.js";

const HASHES = { SHA1: "sha1", SHA224: "sha224", SHA256: "sha256", SHA384: "sha384", SHA512: "sha512" } as const;

export function createCryptoModule(scope: EngineScope): Record<string, unknown> {
  const { realm } = scope;
  const crypto = realm.object();
  for (const [name, algorithm] of Object.entries(HASHES)) {
    crypto[name] = scope.guard((message: unknown) => realm.arrayBuffer(createHash(algorithm).update(bytesOf(message)).digest()));
  }
  crypto.PBKDF2 = scope.guard((passphrase: unknown, salt: unknown, options: unknown) => {
    const given = (typeof options === "object" && options !== null ? options : {}) as Record<string, unknown>;
    const keyWords = Number(given.keySize) > 0 ? Math.floor(Number(given.keySize)) : 4;
    const iterations = Number(given.iterations) >= 1 ? Math.floor(Number(given.iterations)) : 1;
    const hasher = given.hasher === undefined ? "SHA1" : String(given.hasher);
    if (!Object.hasOwn(HASHES, hasher)) throw new Error(`Unknown Hasher "${hasher}"`);
    const key = pbkdf2Sync(bytesOf(passphrase), bytesOf(salt), iterations, keyWords * 4, HASHES[hasher as keyof typeof HASHES]);
    return realm.arrayBuffer(key);
  });
  return crypto;
}
