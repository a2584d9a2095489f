// The device context answers like the engine (espruino-profile.md and the
// measurements in engine/profile.ts), not like Node.
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { MISSING_GLOBALS, MISSING_STATICS } from "../../host-tools/src/engine/profile.js";
import { DEFAULT_BOARD } from "../../host-tools/src/emulator/index.js";
import { bootDevice } from "./fixture.js";

const idle = "var idle = true;";

describe("built-ins the engine lacks are absent", () => {
  test("every missing global is undefined", async () => {
    const device = await bootDevice(idle);
    for (const name of MISSING_GLOBALS) expect(device.eval(`typeof ${name}`), name).toBe("undefined");
    expect(device.eval("typeof Map + typeof Set + typeof Symbol + typeof Proxy + typeof Reflect")).toBe(
      "undefinedundefinedundefinedundefinedundefined",
    );
  });

  test("every missing static member is undefined", async () => {
    const device = await bootDevice(idle);
    for (const [owner, names] of Object.entries(MISSING_STATICS)) {
      for (const name of names) expect(device.eval(`typeof ${owner}.${name}`), `${owner}.${name}`).toBe("undefined");
    }
    expect(device.eval("typeof Array.from")).toBe("undefined");
    expect(device.eval("typeof process.nextTick")).toBe("undefined");
  });

  test("instance methods the engine lacks are absent on instances", async () => {
    const device = await bootDevice(idle);
    expect(device.eval("typeof [].flat + ',' + typeof [].flatMap + ',' + typeof [].lastIndexOf")).toBe("undefined,undefined,undefined");
    expect(device.eval("typeof Promise.resolve().finally")).toBe("undefined");
    expect(device.eval("typeof new Date().getUTCHours + ',' + typeof ''.trimStart")).toBe("undefined,undefined");
    expect(device.eval("typeof ({}).isPrototypeOf")).toBe("undefined");
  });

  test("what the engine has keeps working", async () => {
    const device = await bootDevice(idle);
    expect(device.eval("[1, 2, 3].includes(2) && [5, 6].find(function (x) { return x > 5; }) === 6")).toBe(true);
    expect(device.eval("Object.assign({}, { a: 1 }, { b: 2 }).b + Object.keys({ x: 1 }).length")).toBe(3);
    expect(device.eval("'7'.padStart(3, '0') + 'ab'.repeat(2)")).toBe("007abab");
    expect(device.eval("parseInt('ff', 16) + (255).toString(16)")).toBe("255ff");
    expect(device.eval("new DataView(new Uint8Array([1, 2]).buffer).getUint16(0)")).toBe(0x0102);
    expect(device.eval("JSON.parse(JSON.stringify({ a: [1] })).a[0]")).toBe(1);
    expect(device.eval("Promise.all([1, Promise.resolve(2)]) instanceof Promise")).toBe(true);
  });
});

describe("built-in methods hide behind their prototypes", () => {
  test("prototype reads of built-ins give undefined, except Object's three", async () => {
    const device = await bootDevice(idle);
    for (const path of [
      "Array.prototype.slice",
      "Array.prototype.push",
      "String.prototype.charCodeAt",
      "Function.prototype.call",
      "Uint8Array.prototype.subarray",
      "Promise.prototype.then",
      "Object.prototype.isPrototypeOf",
    ]) {
      expect(device.eval(`typeof ${path}`), path).toBe("undefined");
    }
    for (const name of ["hasOwnProperty", "toString", "valueOf"]) {
      expect(device.eval(`typeof Object.prototype.${name}`), name).toBe("function");
    }
  });

  test("methods still work through instances", async () => {
    const device = await bootDevice(idle);
    expect(device.eval("[].slice.call([1, 2, 3], 1).join()")).toBe("2,3");
    expect(device.eval("(function () { return [].slice.call(arguments); })(4, 5).length")).toBe(2);
    expect(device.eval("''.charCodeAt.call('A', 0)")).toBe(65);
    expect(device.eval("Object.prototype.hasOwnProperty.call({ k: 1 }, 'k')")).toBe(true);
  });

  test("polyfills assigned to a prototype read back and reach instances", async () => {
    const device = await bootDevice(idle);
    device.eval("Array.prototype.last = function () { return this[this.length - 1]; };");
    expect(device.eval("typeof Array.prototype.last")).toBe("function");
    expect(device.eval("[1, 2, 3].last()")).toBe(3);
    // A polyfill replacing a built-in wins, as on the engine (measured).
    device.eval("String.prototype.trim = function () { return 'polyfill'; };");
    expect(device.eval("' x '.trim()")).toBe("polyfill");
  });

  test("constructors, instanceof and prototype identity keep working", async () => {
    const device = await bootDevice(idle);
    expect(device.eval("new Array(3).length")).toBe(3);
    expect(device.eval("Array.isArray([]) && [] instanceof Array && new Array(2) instanceof Array")).toBe(true);
    expect(device.eval("({}) instanceof Object && (function () {}) instanceof Function")).toBe(true);
    expect(device.eval("new Uint8Array(2) instanceof Uint8Array && Uint8Array.from([1, 2]).length === 2")).toBe(true);
    expect(device.eval("Object.getPrototypeOf([]) === Array.prototype")).toBe(true);
    expect(device.eval("[].constructor === Array")).toBe(false);
  });
});

describe("engine semantics", () => {
  test("a TypeError is not an Error, while faults the engine raises are plain Errors", async () => {
    const device = await bootDevice(idle);
    expect(device.eval("new TypeError('x') instanceof Error")).toBe(false);
    expect(device.eval("new TypeError('x') instanceof TypeError")).toBe(true);
    expect(device.eval("String(new TypeError('x'))")).toBe("TypeError: x");
    expect(device.eval("new Error('x') instanceof Error")).toBe(true);
    device.eval("var caught; try { null.x; } catch (e) { caught = e; }");
    expect(device.eval("caught instanceof Error && !(caught instanceof TypeError)")).toBe(true);
    expect(device.eval("var r; try { undefinedName; } catch (e) { r = e; } (r instanceof ReferenceError) + ',' + (r instanceof Error)")).toBe(
      "true,false",
    );
  });

  test("TypeScript's own ES5 spread helper fails as on the engine, while its async code runs", async () => {
    const compiled = ts.transpileModule(
      `async function main() {
        await new Promise<void>((resolve) => setTimeout(resolve, 1));
        print("awaited");
        const joined = [...[1, 2], 3];
        print("spread " + joined.length);
      }
      main();`,
      { compilerOptions: { target: ts.ScriptTarget.ES5, lib: ["es2015"] } },
    ).outputText;
    const device = await bootDevice(compiled);
    await device.waitForOutput("Unhandled promise rejection");
    expect(device.output).toBe("awaited\nUncaught Error: Unhandled promise rejection: Error: Can't read property 'call' of undefined\n");
  });

  test("`this` in a plain call is the global object, even in strict code", async () => {
    const device = await bootDevice(`"use strict";
      function plain() { return this; }
      var strictThis = plain() === global;
      var innerThis = (function () { "use strict"; return this; })() === global;`);
    expect(device.eval("strictThis && innerThis")).toBe(true);
  });

  test("require names the missing module the engine's way", async () => {
    const device = await bootDevice(idle);
    expect(() => device.eval("require('nope')")).toThrow('Module "nope" not found');
    expect(device.output).toContain('Uncaught Error: Module "nope" not found');
    expect(device.eval("require('Storage') === require('Storage')")).toBe(true);
  });

  test("binary data moves as 8-bit strings", async () => {
    const device = await bootDevice(idle);
    expect(device.eval("E.toString(new Uint8Array([0, 255, 65]))")).toBe("\x00\xffA");
    expect(device.eval("E.toString([72, 105], 33, 'x')")).toBe("Hi!x");
    expect(device.eval("var u = E.toUint8Array('\\xff\\x01'); u.length * 1000 + u[0]")).toBe(2255);
    expect(device.eval("btoa('\\xff\\xfe')")).toBe("//4=");
    expect(() => device.eval("E.toString({})")).toThrow(
      "If specifying an object, it must be of the form {data : ..., count : N} or {callback : fn} - got {  }",
    );
    expect(device.eval("atob('//4=').charCodeAt(0)")).toBe(255);
    expect(device.eval("JSON.stringify('\\xff')")).toBe('"\\u00FF"');
  });

  test("source text arrives as UTF-8 bytes, one char each", async () => {
    const device = await bootDevice('var euro = "€";');
    expect(device.eval("euro.length")).toBe(3);
  });

  test("process and time", async () => {
    const device = await bootDevice(idle);
    const total = DEFAULT_BOARD.variables;
    expect(device.eval("var m = process.memory(); m.total + ',' + (m.free + m.usage)")).toBe(`${total},${total}`);
    expect(device.eval("process.env.VERSION + ' ' + process.env.BOARD")).toBe("2v29 ESP32");
    const before = device.eval("getTime()") as number;
    expect(Math.abs(before - Date.now() / 1000)).toBeLessThan(5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const elapsed = (device.eval("getTime()") as number) - before;
    expect(elapsed).toBeGreaterThan(0.04);
    expect(elapsed).toBeLessThan(1);
  });

  test("E.getSizeOf counts variables as the ESP32 engine does", async () => {
    const device = await bootDevice(idle);
    expect(device.eval("E.getSizeOf('x'.repeat(1000))")).toBe(101);
    expect(device.eval("E.getSizeOf(new Uint8Array(1000))")).toBe(75);
    expect(device.eval("E.getSizeOf({ a: 1 }) + ',' + E.getSizeOf([1, 2, 3])")).toBe("2,4");
  });

  test("every object is an event emitter whose emit is queued", async () => {
    const device = await bootDevice(`
      var o = {};
      o.on("ping", function (v) { print("got " + v); });
      o.emit("ping", 7);
      print("after emit");`);
    await device.waitForOutput("got 7");
    expect(device.output.indexOf("after emit")).toBeLessThan(device.output.indexOf("got 7"));
  });

  test("pins drive the board's LED", async () => {
    const board = { ...DEFAULT_BOARD, led: { pin: 2, activeHigh: false } };
    const device = await bootDevice("digitalWrite(LED1, 0);", { board });
    expect(device.pins.ledLit).toBe(true);
    device.eval("digitalWrite(D2, 1)");
    expect(device.pins.ledLit).toBe(false);
    expect(device.eval("digitalRead(D2)")).toBe(1);
  });
});
