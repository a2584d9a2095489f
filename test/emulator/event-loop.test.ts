// How the engine's loop runs callbacks: uncaught errors are printed and the
// device goes on; promise jobs run after the current task and before timers;
// timers have the engine's ids and clearing rules; print() formats values
// the engine's way.
import { describe, expect, test } from "vitest";
import { bootDevice } from "./fixture.js";

describe("uncaught errors", () => {
  test("are printed like the engine's and the device keeps running", async () => {
    const device = await bootDevice(`
      setTimeout(function () { throw new Error("boom"); }, 1);
      setTimeout(function () { throw "plain string"; }, 2);
      setTimeout(function () { throw { code: 1 }; }, 3);
      setTimeout(function () { print("still running"); }, 10);`);
    await device.waitForOutput("still running");
    const lines = device.output.split("\n");
    expect(lines[0]).toBe("Uncaught Error: boom");
    expect(lines[1]).toMatch(/^ {4}at .*\.bootcde:2:\d+/);
    expect(lines.slice(2)).toEqual(["Uncaught plain string", "Uncaught [object Object]", "still running", ""]);
  });

  test("V8's faults read as the engine's messages", async () => {
    const device = await bootDevice(`
      setTimeout(function () { var n = null; n.x; }, 1);
      setTimeout(function () { notDeclared + 1; }, 2);
      setTimeout(function () { var o = {}; o.send(); }, 3);
      setTimeout(function () { print("done"); }, 10);`);
    await device.waitForOutput("done");
    const uncaught = device.output.split("\n").filter((line) => line.startsWith("Uncaught"));
    expect(uncaught).toEqual([
      "Uncaught Error: Can't read property 'x' of null",
      'Uncaught ReferenceError: "notDeclared" is not defined',
      'Uncaught Error: Function "send" not found!',
    ]);
  });

  test("process.on('uncaughtException') takes the error instead of the console", async () => {
    const device = await bootDevice(`
      process.on("uncaughtException", function (e) { print("handled " + e.message); });
      setTimeout(function () { throw new Error("oops"); }, 1);`);
    await device.waitForOutput("handled oops");
    expect(device.output).not.toContain("Uncaught");
  });
});

describe("promises", () => {
  test("jobs run after the current task and before timers", async () => {
    const device = await bootDevice(`
      setTimeout(function () { print("timer"); }, 0);
      Promise.resolve(1).then(function (v) { print("then " + v); return v + 1; }).then(function (v) { print("then " + v); });
      print("task");`);
    await device.waitForOutput("timer");
    expect(device.output).toBe("task\nthen 1\nthen 2\ntimer\n");
  });

  test("a rejection nobody handles is reported the engine's way; a late catch still runs", async () => {
    const device = await bootDevice(`
      var p = Promise.reject(new Error("rej"));
      setTimeout(function () { p.catch(function (e) { print("late catch " + e.message); }); }, 5);
      new Promise(function (resolve, reject) { reject("text"); }).then(function () {});
      Promise.reject(new Error("handled")).catch(function (e) { print("caught " + e.message); });`);
    await device.waitForOutput("late catch rej");
    expect(device.output).toContain("Uncaught Error: Unhandled promise rejection: Error: rej\n");
    expect(device.output).toContain("Uncaught Error: Unhandled promise rejection: text\n");
    expect(device.output).toContain("caught handled\n");
    expect(device.output).not.toContain("Unhandled promise rejection: Error: handled");
  });

  test("misuse throws the engine's errors", async () => {
    const device = await bootDevice("var idle = true;");
    expect(() => device.eval("Promise.all(5)")).toThrow("Expecting something iterable, got Number");
    expect(() => device.eval("new Promise()")).toThrow("Function required in promise constructor");
  });

  test("async code compiled to ES5 helpers runs on the engine's Promise", async () => {
    const device = await bootDevice(`
      function delay(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
      function run() {
        return delay(5)
          .then(function () { return Promise.all([delay(1), 7]); })
          .then(function (all) { print("all " + all[1] + " " + (all instanceof Array)); });
      }
      run();`);
    await device.waitForOutput("all 7 true");
  });
});

describe("timers", () => {
  test("ids start at 1 and come back once the newest timer ends", async () => {
    const device = await bootDevice("var a = setTimeout(function () {}, 1000); var b = setTimeout(function () {}, 1000);");
    expect(device.eval("a + ',' + b")).toBe("1,2");
    device.eval("clearTimeout(b)");
    expect(device.eval("setTimeout(function () {}, 1000)")).toBe(2);
  });

  test("clearTimeout() clears every timer; clearTimeout(undefined) throws", async () => {
    const device = await bootDevice(`
      setTimeout(function () { print("timeout ran"); }, 20);
      setInterval(function () { print("interval ran"); }, 20);`);
    expect(() => device.eval("clearTimeout(undefined)")).toThrow("clearTimeout(undefined) not allowed. Use clearTimeout() instead");
    device.eval("clearTimeout()");
    device.eval('setTimeout(function () { print("fresh"); }, 40)');
    await device.waitForOutput("fresh");
    expect(device.output).not.toContain("ran");
  });

  test("intervals repeat, changeInterval retimes them, arguments pass through", async () => {
    const device = await bootDevice(`
      var count = 0;
      var id = setInterval(function (label) { count++; print(label + count); if (count === 3) clearInterval(id); }, 2, "tick ");
      changeInterval(id, 3);`);
    await device.waitForOutput("tick 3");
    expect(() => device.eval("changeInterval(99, 5)")).toThrow("Unknown Interval");
    expect(() => device.eval("setTimeout(5, 10)")).toThrow("Function or String not supplied!");
  });
});

describe("print", () => {
  test("formats values as the engine does", async () => {
    const device = await bootDevice(`
      print({ a: { b: { c: 1 } }, s: "q\\"x\\n", n: null, u: undefined, f: function(a){return 1;}, arr: [1, [2, 3], { x: 1 }] });
      print("text", 1.5, -0, true, null, undefined, [], {});
      print(new Error("x"));
      print(new Uint8Array([1, 2, 3]), new Uint8Array(3), new Uint8Array([1, 255]).buffer);
      var loop = { a: 1 }; loop.self = loop; print(loop);
      console.log([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);`);
    expect(device.output).toBe(
      [
        "{ ",
        '  "a": { ',
        '    "b": { "c": 1 }',
        "   }, ",
        '  "s": "q\\"x\\n", ',
        '  "n": null, "u": undefined, ',
        '  "f": function (a) {return 1;}, ',
        '  "arr": [ 1, ',
        "    [ 2, 3 ], ",
        '    { "x": 1 }',
        "   ]",
        " }",
        "text 1.5 0 true null undefined [  ] {  }",
        "Error: Error: x",
        "new Uint8Array([1, 2, 3]) new Uint8Array(3) new Uint8Array([1, 255]).buffer",
        '{ "a": 1, ',
        '  "self":  ... ',
        " }",
        "[ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ]",
        "",
      ].join("\n"),
    );
  });
});
