// The device's HMAC-SHA256 in Node, with Node's SHA-256 injected: RFC 4231's
// vectors, cross-checks against node:crypto, and replies sealed by the real
// presigner.
import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromHex, hmacSha256, sameMac, toHex } from "../../../firmware/src/crypto/hmac.js";
import { verifyPresignReply } from "../../../firmware/src/crypto/reply-mac.js";
import { parsePresignReply, type SignedPresignReply } from "../../../firmware/src/protocol/presign-reply.js";
import { deviceKeyOf, nodeSha256, presignerReplies } from "./presigner-replies.js";

const binary = (bytes: Buffer): string => bytes.toString("latin1");
const repeated = (byte: number, count: number): string => String.fromCharCode(byte).repeat(count);
const hmacHex = (key: string, message: string): string => toHex(hmacSha256(nodeSha256, key, message));

describe("HMAC-SHA256", () => {
  // RFC 4231 section 4: test cases 1-7 (case 5 is truncated to 128 bits there).
  const vectors: { name: string; key: string; data: string; mac: string }[] = [
    { name: "1", key: repeated(0x0b, 20), data: "Hi There", mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
    { name: "2", key: "Jefe", data: "what do ya want for nothing?", mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
    { name: "3", key: repeated(0xaa, 20), data: repeated(0xdd, 50), mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
    {
      name: "4",
      key: binary(Buffer.from("0102030405060708090a0b0c0d0e0f10111213141516171819", "hex")),
      data: repeated(0xcd, 50),
      mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
    },
    { name: "5 (truncated)", key: repeated(0x0c, 20), data: "Test With Truncation", mac: "a3b6167473100ee06e0c796c2955552b" },
    {
      name: "6 (key longer than a block)",
      key: repeated(0xaa, 131),
      data: "Test Using Larger Than Block-Size Key - Hash Key First",
      mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    },
    {
      name: "7 (key and data longer than a block)",
      key: repeated(0xaa, 131),
      data: "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
      mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    },
  ];
  for (const vector of vectors) {
    it(`gives RFC 4231 test case ${vector.name}`, () => {
      expect(hmacHex(vector.key, vector.data).slice(0, vector.mac.length)).toBe(vector.mac);
    });
  }

  // Around the 64-byte block: shorter keys are padded, equal ones used as they
  // are, longer ones hashed first; messages around SHA-256's padding edges.
  const keyLengths = [0, 1, 32, 63, 64, 65, 131, 300];
  const messageLengths = [0, 1, 55, 56, 64, 119, 1000];
  for (const keyLength of keyLengths) {
    it(`matches node:crypto for ${keyLength}-byte random keys`, () => {
      for (const messageLength of messageLengths) {
        const key = randomBytes(keyLength);
        const message = randomBytes(messageLength);
        const expected = createHmac("sha256", key).update(message).digest("hex");
        expect(hmacHex(binary(key), binary(message)), `${messageLength}-byte message`).toBe(expected);
      }
    });
  }

  it("returns the 32-byte digest as a binary string", () => {
    const mac = hmacSha256(nodeSha256, "k", "m");
    expect(mac).toHaveLength(32);
    expect(Buffer.from(mac, "latin1").toString("hex")).toBe(createHmac("sha256", "k").update("m").digest("hex"));
  });
});

describe("hex", () => {
  it("round-trips every byte value, lowercase out, either case in", () => {
    const all = binary(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    const hex = toHex(all);
    expect(hex).toBe(Buffer.from(all, "latin1").toString("hex"));
    expect(fromHex(hex)).toBe(all);
    expect(fromHex(hex.toUpperCase())).toBe(all);
    expect(fromHex("")).toBe("");
  });

  it("refuses what is not hex", () => {
    for (const bad of ["a", "abc", "0g", "zz", " 0", "0x12", "12-4"]) expect(fromHex(bad), bad).toBeUndefined();
  });
});

describe("sameMac", () => {
  it("is true only for identical strings", () => {
    const mac = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
    expect(sameMac(mac, mac.slice())).toBe(true);
    expect(sameMac(mac, `${mac.slice(0, 63)}8`)).toBe(false);
    expect(sameMac(mac, `c${mac.slice(1)}`)).toBe(false);
    expect(sameMac(mac, mac.slice(0, 63))).toBe(false);
    expect(sameMac(mac, mac.toUpperCase())).toBe(false);
    expect(sameMac("", "")).toBe(true);
  });
});

describe("verifyPresignReply with replies from the real presigner", () => {
  const device = "dev-0001";
  const requests = [
    { id: "b3-r17", op: "put", key: "logs/00000001.log", size: 18432 },
    { id: "b3-r18", op: "get", key: "app/2.0.1.js" },
    { id: "b3-r19", op: "put", key: "logs/../x", size: 1 },
  ];
  const parsed = async (): Promise<SignedPresignReply[]> =>
    (await presignerReplies(device, requests)).map((payload) => {
      const reply = parsePresignReply(payload);
      if (!reply) throw new Error(`the device could not parse ${payload}`);
      return reply;
    });

  it("accepts grants and refusals sealed with the device's key", async () => {
    const replies = await parsed();
    expect(replies.map((reply) => reply.ok)).toEqual([true, true, false]);
    for (const reply of replies) expect(verifyPresignReply(reply, device, deviceKeyOf(device), nodeSha256)).toBe(true);
  });

  it("refuses another device's key, another device id, and any changed field", async () => {
    const [put, , refusal] = await parsed();
    if (!put?.ok || !refusal || refusal.ok) throw new Error("expected a grant and a refusal");
    const key = deviceKeyOf(device);
    expect(verifyPresignReply(put, device, deviceKeyOf("dev-0002"), nodeSha256)).toBe(false);
    expect(verifyPresignReply(put, "dev-0002", key, nodeSha256)).toBe(false);
    const tampered: SignedPresignReply[] = [
      { ...put, headers: { "Content-Length": "18433" } },
      { ...put, url: put.url.replace("00000001", "00000002") },
      { ...put, check: `${put.check}&x=1` },
      { ...put, expires: put.expires + 3600 },
      { ...put, id: "b3-r99" },
      { ...put, mac: put.mac.toUpperCase() },
      { ...refusal, message: "all fine" },
      { ...refusal, error: "internal" },
    ];
    for (const reply of tampered) expect(verifyPresignReply(reply, device, key, nodeSha256), JSON.stringify(reply)).toBe(false);
  });
});
