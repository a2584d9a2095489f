// Storage behaves like the engine's flash file system (src/jsflash.c, and
// the measurements in docs/engine.md) and keeps every completed
// call in its host file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DEFAULT_BOARD, StorageArea } from "../../host-tools/src/emulator/index.js";
import { bootDevice, temporaryDirectory } from "./fixture.js";

const ESP32_STORAGE = 917504;
const smallBoard = { ...DEFAULT_BOARD, storage: { offset: "0x320000", size: 4096 } };
const useStorage = 'var S = require("Storage");';

describe("writes at offsets", () => {
  test("a file created bigger than its data reads 0xFF where nothing was written, and fills in later", async () => {
    const device = await bootDevice(useStorage);
    expect(device.eval('S.write("a", "Hello", 0, 14)')).toBe(true);
    expect(device.eval('S.read("a")')).toBe(`Hello${"\xff".repeat(9)}`);
    device.eval('S.write("a", " ", 5); S.write("a", "World!!!", 6);');
    expect(device.eval('S.read("a")')).toBe("Hello World!!!");
    expect(device.eval('S.read("a", 6, 5)')).toBe("World");
  });

  test("bytes already written cannot be written again, even with the same data", async () => {
    const device = await bootDevice(useStorage);
    device.eval('S.write("a", "abc", 0, 10); S.write("a", "XY", 3);');
    expect(() => device.eval('S.write("a", "XY", 3)')).toThrow("File already written with different data");
    expect(() => device.eval('S.write("a", "QQQ", 4)')).toThrow("File already written with different data");
    expect(device.eval('S.read("a")')).toBe(`abcXY${"\xff".repeat(5)}`);
  });

  test("writing at offset 0 replaces the file, unless the content is identical", async () => {
    const device = await bootDevice(useStorage);
    device.eval('S.write("f", "abc", 0, 10)');
    device.eval('S.write("f", "ZZ", 0)');
    expect(device.eval('S.read("f")')).toBe("ZZ");
    expect(device.eval("S.getStats().trashCount")).toBe(1);
    expect(device.eval('S.write("f", "ZZ", 0)')).toBe(true);
    expect(device.eval("S.getStats().trashCount")).toBe(1);
  });

  test("the engine's errors for impossible writes", async () => {
    const device = await bootDevice(useStorage);
    device.eval('S.write("f", "abc", 0, 4)');
    expect(() => device.eval('S.write("f", "xyz", 2)')).toThrow("Too much data for file size");
    expect(() => device.eval('S.write("missing", "x", 3)')).toThrow("Unable to find or create file");
    expect(() => device.eval('S.write("empty", "")')).toThrow("Can't create zero length file");
    expect(device.eval('S.write("f", "x", -1)')).toBe(false);
    expect(device.eval('S.read("nope") === undefined && S.readJSON("nope") === undefined')).toBe(true);
  });

  test("objects are written as JSON; writeJSON uses the engine's compact form", async () => {
    const device = await bootDevice(useStorage);
    device.eval('S.write("o", { x: 1 })');
    expect(device.eval('S.read("o")')).toBe('{"x":1}');
    device.eval('S.writeJSON("j", { a: 1, "b c": "x\\xff\\n", d: [1, 2], e: undefined, f: function () {} })');
    expect(device.eval('S.read("j")')).toBe('{a:1,"b c":"x\\xFF\\n",d:[1,2]}');
    expect(device.eval('var j = S.readJSON("j"); j["b c"] === "x\\xff\\n" && j.d[1] === 2 && j.d instanceof Array')).toBe(true);
    device.eval('S.write("bad", "{a:")');
    expect(() => device.eval('S.readJSON("bad")')).toThrow("Expecting valid value, got EOF");
    expect(device.eval('S.readJSON("bad", true)')).toBeUndefined();
  });

  test("readArrayBuffer gives the bytes", async () => {
    const device = await bootDevice(useStorage);
    device.eval('S.write("b", "\\x01\\xff")');
    expect(device.eval('var b = new Uint8Array(S.readArrayBuffer("b")); b.length + "," + b[1]')).toBe("2,255");
  });
});

describe("names", () => {
  test("the engine cuts names to 28 chars without an error, so long names can collide", async () => {
    const device = await bootDevice(useStorage);
    const long = "n".repeat(28);
    device.eval(`S.write("${long}AAAA", "first")`);
    expect(device.eval("S.list()")).toEqual([".bootcde", long]);
    expect(device.eval(`S.read("${long}BBBB")`)).toBe("first");
  });

  test("the host side refuses a name the engine would cut", async () => {
    const device = await bootDevice(useStorage);
    expect(() => device.storage.write("x".repeat(29), "data")).toThrow("keeps only the first 28");
  });

  test("list filters with a regular expression", async () => {
    const device = await bootDevice(useStorage);
    device.eval('S.write("a.js", "1"); S.write("b.json", "2"); S.write("c.js", "3");');
    expect(device.eval("S.list(/\\.js$/).join()")).toBe("a.js,c.js");
  });
});

describe("capacity", () => {
  test("getFree counts headers and 4-byte padding, and erased files stay as trash until compaction", async () => {
    const device = await bootDevice(useStorage);
    // The app itself: a 32-byte header and its 27 bytes padded to 28.
    const app = 60;
    expect(device.eval("S.getFree()")).toBe(ESP32_STORAGE - app);
    device.eval('S.write("a", "0123456789")');
    // 32-byte header + 10 bytes padded to 12.
    expect(device.eval("S.getFree()")).toBe(ESP32_STORAGE - app - 44);
    device.eval('S.erase("a")');
    expect(device.eval("S.getFree()")).toBe(ESP32_STORAGE - app - 44);
    expect(device.eval("JSON.stringify(S.getStats())")).toBe(
      JSON.stringify({
        totalBytes: ESP32_STORAGE,
        freeBytes: ESP32_STORAGE - app - 44,
        fileBytes: app,
        fileCount: 1,
        trashBytes: 44,
        trashCount: 1,
      }),
    );
    expect(device.output).not.toContain("Compacting");
    device.eval("S.compact()");
    expect(device.eval("S.getFree()")).toBe(ESP32_STORAGE - app);
    expect(device.output).toContain("Compacting... \n");
  });

  test("a write that only fits after compaction compacts first, keeping the live files", async () => {
    const device = await bootDevice(useStorage, { board: smallBoard });
    device.eval('S.write("big", "x", 0, 2000); S.write("keep", "kept"); S.erase("big");');
    expect(device.eval("S.getFree()")).toBeLessThan(2000);
    expect(device.eval('S.write("new", "y", 0, 2500)')).toBe(true);
    expect(device.output).toContain("Compacting... ");
    expect(device.eval('S.read("keep") + "," + S.list().join()')).toBe("kept,.bootcde,keep,new");
  });

  test("a write that cannot fit even after compaction fails without compacting", async () => {
    const device = await bootDevice(useStorage, { board: smallBoard });
    device.eval('S.write("a", "x", 0, 1000); S.erase("a");');
    expect(() => device.eval('S.write("huge", "y", 0, 4096)')).toThrow("Unable to find or create file");
    expect(device.eval("S.getStats().trashCount")).toBe(1);
    expect(device.output).not.toContain("Compacting");
  });
});

describe("the host file", () => {
  test("holds the engine's layout and every completed write, readable by a fresh open", async () => {
    const dir = temporaryDirectory();
    const path = join(dir, "flash.bin");
    const device = await bootDevice(useStorage, { storagePath: path });
    device.eval('S.write("cfg", "ab", 0, 6); S.write("cfg", "cd", 2);');
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(ESP32_STORAGE);
    // After the app's file (60 bytes): the header's size word, the name, then the data.
    expect(bytes.readUInt32LE(60)).toBe(6);
    expect(bytes.toString("latin1", 64, 67)).toBe("cfg");
    expect(bytes.toString("latin1", 92, 98)).toBe("abcd\xff\xff");
    const reopened = StorageArea.open(path, ESP32_STORAGE);
    expect(reopened.read("cfg")).toBe("abcd\xff\xff");
    reopened.close();
  });

  test("a storage file made for another board is refused", async () => {
    const dir = temporaryDirectory();
    const path = join(dir, "flash.bin");
    StorageArea.open(path, 4096).close();
    expect(() => StorageArea.open(path, ESP32_STORAGE)).toThrow("holds 4096 bytes");
  });
});
