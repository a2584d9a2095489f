// The SD card: `require("fs")` and `E.openFile` over a host directory, with
// the engine's FatFs error texts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DEFAULT_BOARD } from "../../host-tools/src/emulator/index.js";
import { bootDevice, temporaryDirectory } from "./fixture.js";

const mounted = 'E.connectSDCard(SPI1, D5); var fs = require("fs");';

describe("mounting", () => {
  test("nothing works before E.connectSDCard", async () => {
    const device = await bootDevice('var fs = require("fs");', { sdPath: temporaryDirectory() });
    expect(() => device.eval("fs.readdirSync('/')")).toThrow("SD card must be setup with E.connectSDCard first");
    expect(device.runtime!.readSdFile("/any.pem")).toBeUndefined();
  });

  test("without a card the mount fails", async () => {
    const device = await bootDevice(mounted, { sdPath: null });
    expect(() => device.eval("fs.readdirSync('/')")).toThrow("Unable to mount media : NOT_READY");
    expect(() => device.eval("E.openFile('/a.txt', 'w')")).toThrow("Unable to mount media : NOT_READY");
  });

  test("a board with a card slot answers only on its chip-select pin", async () => {
    const board = { ...DEFAULT_BOARD, sdCard: { interface: "spi" as const, sck: 14, miso: 2, mosi: 15, cs: 13 } };
    const device = await bootDevice('var fs = require("fs");', { board, sdPath: temporaryDirectory() });
    device.eval("E.connectSDCard(SPI1, D5)");
    expect(() => device.eval("fs.readdirSync()")).toThrow("Unable to mount media : NOT_READY");
    device.eval("E.connectSDCard(SPI1, D13)");
    expect(device.eval("fs.readdirSync().length")).toBe(0);
    expect(() => device.eval("E.connectSDCard(undefined, D13)")).toThrow("First argument is a undefined, not an SPI object");
  });

  test("each boot must connect the card again", async () => {
    const device = await bootDevice('var fs = require("fs");', { sdPath: temporaryDirectory() });
    device.eval("E.connectSDCard(SPI1, D5)");
    expect(device.eval("fs.readdirSync('/').length")).toBe(0);
    device.boot();
    expect(() => device.eval("require('fs').readdirSync('/')")).toThrow("E.connectSDCard first");
  });
});

describe("files and directories", () => {
  test("write, append, read, list, stat and unlink over the directory", async () => {
    const card = temporaryDirectory();
    const device = await bootDevice(mounted, { sdPath: card });
    expect(device.eval('fs.mkdirSync("/logs")')).toBe(true);
    expect(device.eval('fs.writeFileSync("/logs/a.txt", "one\\n")')).toBe(true);
    expect(device.eval('fs.appendFileSync("logs/a.txt", "two\\n")')).toBe(true);
    expect(device.eval('fs.appendFileSync("/logs/b.bin", "\\x00\\xff")')).toBe(true);
    expect(readFileSync(join(card, "logs", "a.txt"), "latin1")).toBe("one\ntwo\n");
    expect(readFileSync(join(card, "logs", "b.bin"))).toEqual(Buffer.from([0, 255]));
    expect(device.eval('fs.readFileSync("/logs/a.txt")')).toBe("one\ntwo\n");
    expect(device.eval('fs.readdirSync("/").join()')).toBe("logs");
    // FatFs with relative paths lists a subdirectory's dot entries.
    expect(device.eval('fs.readdirSync("/logs").join()')).toBe(".,..,a.txt,b.bin");
    expect(device.eval('var s = fs.statSync("/logs/a.txt"); s.size + "," + s.dir + "," + (s.mtime instanceof Date)')).toBe("8,false,true");
    expect(device.eval('fs.statSync("/logs").dir')).toBe(true);
    expect(device.eval('fs.statSync("/none") === undefined')).toBe(true);
    expect(device.eval('fs.unlinkSync("/logs/a.txt")')).toBe(true);
    expect(existsSync(join(card, "logs", "a.txt"))).toBe(false);
    expect(device.eval("typeof fs.renameSync + typeof fs.existsSync")).toBe("undefinedundefined");
  });

  test("the engine's FatFs errors", async () => {
    const card = temporaryDirectory();
    mkdirSync(join(card, "full"));
    writeFileSync(join(card, "full", "x"), "x");
    writeFileSync(join(card, "empty.txt"), "");
    const device = await bootDevice(mounted, { sdPath: card });
    expect(() => device.eval('fs.readFileSync("/missing.txt")')).toThrow("Could not open file : NO_FILE");
    expect(() => device.eval('fs.writeFileSync("/nodir/a.txt", "x")')).toThrow("Could not open file : NO_PATH");
    expect(() => device.eval('fs.readdirSync("/nodir")')).toThrow("Unable to list files : NO_PATH");
    expect(() => device.eval('fs.mkdirSync("/full")')).toThrow("Unable to create the directory : EXIST");
    expect(() => device.eval('fs.unlinkSync("/missing.txt")')).toThrow("Unable to delete file : NO_FILE");
    expect(() => device.eval('fs.unlinkSync("/full")')).toThrow("Unable to delete file : DENIED");
    // The engine reads nothing back from an empty file, and reports an empty write as a failure.
    expect(device.eval('fs.readFileSync("/empty.txt")')).toBeUndefined();
    expect(device.eval('fs.writeFileSync("/new.txt", "")')).toBe(false);
    expect(existsSync(join(card, "new.txt"))).toBe(true);
  });

  test("paths never leave the card, and are shorter than 64 chars", async () => {
    const outside = temporaryDirectory();
    const card = join(outside, "card");
    mkdirSync(card);
    const device = await bootDevice(mounted, { sdPath: card });
    // FatFs stays at the root on `..`, so this names /escape.txt on the card.
    device.eval('fs.writeFileSync("/../../escape.txt", "contained")');
    expect(existsSync(join(outside, "escape.txt"))).toBe(false);
    expect(readFileSync(join(card, "escape.txt"), "latin1")).toBe("contained");
    expect(device.eval('fs.readFileSync("logs/../escape.txt")')).toBe("contained");
    const name = (length: number) => `/${"p".repeat(length - 1)}`;
    expect(device.eval(`fs.writeFileSync("${name(63)}", "ok")`)).toBe(true);
    expect(() => device.eval(`fs.writeFileSync("${name(64)}", "no")`)).toThrow("File path too long");
  });
});

describe("E.openFile", () => {
  test("reads in chunks until undefined at the end, and stops after close", async () => {
    const card = temporaryDirectory();
    writeFileSync(join(card, "data.bin"), Buffer.from("hello world"));
    const device = await bootDevice(mounted, { sdPath: card });
    device.eval('var f = E.openFile("/data.bin", "r");');
    expect(device.eval("[f.read(5), f.read(100), f.read(5)]")).toEqual(["hello", " world", undefined]);
    device.eval("f.seek(6)");
    expect(device.eval("f.read(3)")).toBe("wor");
    device.eval("f.skip(1)");
    expect(device.eval("f.read(10)")).toBe("d");
    device.eval("f.close()");
    expect(device.eval("f.read(5)")).toBeUndefined();
    expect(device.eval('E.openFile("/data.bin", "bogus")')).toBeUndefined();
  });

  test("writes return the byte count; 'a' appends, 'w+' keeps the file, 'w' starts over", async () => {
    const card = temporaryDirectory();
    const device = await bootDevice(mounted, { sdPath: card });
    expect(device.eval('var w = E.openFile("/out.txt", "w"); var n = w.write("abc") + w.write([0x44, 0x45]); w.close(); n')).toBe(5);
    device.eval('var a = E.openFile("/out.txt", "a"); a.write("F"); a.close();');
    expect(readFileSync(join(card, "out.txt"), "latin1")).toBe("abcDEF");
    // "w+" opens without truncating, and "a" starts at the end but follows seeks.
    device.eval('var p = E.openFile("/out.txt", "w+"); p.write("Z"); p.close();');
    device.eval('var q = E.openFile("/out.txt", "a"); q.seek(1); q.write("Y"); q.close();');
    expect(readFileSync(join(card, "out.txt"), "latin1")).toBe("ZYcDEF");
    device.eval('var z = E.openFile("/out.txt", "w"); z.write("z"); z.close();');
    expect(readFileSync(join(card, "out.txt"), "latin1")).toBe("z");
  });

  test("pipe writes chunk by chunk, waits for drain, then ends the destination", async () => {
    const card = temporaryDirectory();
    const content = Array.from({ length: 300 }, (_, i) => String.fromCharCode(i % 256)).join("");
    writeFileSync(join(card, "big.bin"), Buffer.from(content, "latin1"));
    const device = await bootDevice(
      `${mounted}
      var got = [];
      var sink = {
        write: function (chunk) {
          got.push(chunk);
          var self = this;
          setTimeout(function () { self.emit("drain"); }, 1);
          return false;
        },
        end: function () { print("sink ended"); }
      };
      E.openFile("/big.bin", "r").pipe(sink, { chunkSize: 128, complete: function () { print("piped " + got.length); } });`,
      { sdPath: card },
    );
    await device.waitForOutput("piped 3");
    expect(device.output).toContain("sink ended");
    expect(device.eval("got.map(function (c) { return c.length; }).join()")).toBe("128,128,44");
    expect(device.eval("got.join('')")).toBe(content);
  });

  test("fs.pipe streams a string into a file and closes it", async () => {
    const card = temporaryDirectory();
    const device = await bootDevice(
      `${mounted}
      fs.pipe("0123456789".repeat(20), E.openFile("/copy.txt", "w"), { chunkSize: 64, complete: function () { print("copied"); } });`,
      { sdPath: card },
    );
    await device.waitForOutput("copied");
    expect(readFileSync(join(card, "copy.txt"), "latin1")).toBe("0123456789".repeat(20));
  });

  test("the TLS module can read PEM files from a mounted card", async () => {
    const card = temporaryDirectory();
    writeFileSync(join(card, "ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    const device = await bootDevice(mounted, { sdPath: card });
    expect(device.runtime!.readSdFile("/ca.pem")).toBe("-----BEGIN CERTIFICATE-----\n");
    expect(device.runtime!.readSdFile("/absent.pem")).toBeUndefined();
  });
});
