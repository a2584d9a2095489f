// require("crypto") hashes as the engine does: one shot, bytes in, ArrayBuffer out.
import { expect, test } from "vitest";
import { bootDevice } from "./fixture.js";

const helpers = `
  var crypto = require("crypto");
  function hex(buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i++) text += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return text;
  }`;

test("SHA-1, SHA-256 and SHA-512 match the FIPS 180 test vectors", async () => {
  const device = await bootDevice(helpers);
  expect(device.eval('hex(crypto.SHA1("abc"))')).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  expect(device.eval('hex(crypto.SHA256("abc"))')).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  expect(device.eval('hex(crypto.SHA256(""))')).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  expect(device.eval('hex(crypto.SHA512("abc"))')).toBe(
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  );
});

test("results are the device's ArrayBuffers, and strings are hashed as bytes", async () => {
  const device = await bootDevice(helpers);
  expect(device.eval('var h = crypto.SHA256("abc"); (h instanceof ArrayBuffer) + "," + h.byteLength')).toBe("true,32");
  const ff = "a8100ae6aa1940d0b663bb31cd466142ebbdbd5187131b92d93818987832eb89";
  expect(device.eval('hex(crypto.SHA256("\\xff"))')).toBe(ff);
  expect(device.eval("hex(crypto.SHA256(new Uint8Array([255])))")).toBe(ff);
  expect(device.eval("hex(crypto.SHA256(new Uint8Array([255]).buffer))")).toBe(ff);
  expect(device.eval("hex(crypto.SHA256([255]))")).toBe(ff);
});

test("PBKDF2 matches RFC 6070 and there is no MD5 or HMAC", async () => {
  const device = await bootDevice(helpers);
  expect(device.eval('hex(crypto.PBKDF2("password", "salt", { keySize: 5, iterations: 2, hasher: "SHA1" }))')).toBe(
    "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957",
  );
  expect(device.eval("typeof crypto.MD5 + typeof crypto.HMAC + typeof crypto.createHash")).toBe("undefinedundefinedundefined");
});
