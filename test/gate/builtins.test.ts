import { describe, expect, it } from "vitest";
import { findings, placesOf } from "./helpers.js";

describe("missing-builtin", () => {
  it.each([
    ["Map", "var m = new Map();", ["1:13"]],
    ["Set in an instanceof", "function f(x) {\n  return x instanceof Set;\n}", ["2:23"]],
    ["an unguarded Symbol", "var it = o[Symbol.iterator];", ["1:12"]],
    ["setImmediate", "setImmediate(run);", ["1:1"]],
    ["Array.from", "var a = Array.from(list);", ["1:9"]],
    ["Math.trunc", "var n = Math.trunc(x) + Math.imul(a, b);", ["1:9", "1:25"]],
    ["Object.freeze", 'var o = Object["freeze"]({});', ["1:9"]],
    ["Promise.race", "Promise.race([a, b]);", ["1:1"]],
    ["process.nextTick", "process.nextTick(run);", ["1:1"]],
    ["Promise#finally", "load().then(use)\n  .finally(done);", ["2:4"]],
    ["Array#flat", "var all = lists.flat();", ["1:17"]],
    ["the else branch of a typeof test", 'var s = typeof Symbol === "function" ? 1 : Symbol.iterator;', ["1:44"]],
  ])("reports %s", (_name, source, places) => {
    expect(placesOf(source, "missing-builtin")).toEqual(places);
  });

  it("suggests what to use instead", () => {
    expect(findings("new Map();")[0]!.message).toContain("plain object");
    expect(findings("p.finally(f);")[0]!.message).toContain(".then(onDone, onDone)");
    expect(findings("Array.from(x);")[0]!.message).toContain("[].slice.call");
  });

  it.each([
    ["a Map the bundle declares", "var Map = function () { this.keys = []; };\nvar m = new Map();"],
    ["a Set passed in as a parameter", "function f(Set) { return new Set(); }"],
    ["typeof tests", 'var ok = typeof Map !== "undefined" && typeof Symbol === "function";'],
    ["Symbol behind a typeof guard", 'var s = typeof Symbol === "function" && Symbol.iterator, m = s && o[s];'],
    ["Symbol inside a guarded if", 'if (typeof Symbol !== "undefined") { it = o[Symbol.iterator]; }'],
    ["Symbol behind a negated guard", 'if (typeof Symbol === "undefined") { it = null; } else { it = o[Symbol.iterator]; }'],
    ["a global the bundle assigns", "Set = function () {};\nvar s = new Set();"],
    ["a static member polyfilled by the bundle", "if (!Array.from) { Array.from = function (x) { return [].slice.call(x); }; }\nvar a = Array.from(list);"],
    ["a presence test with a fallback", "var trunc = Math.trunc || function (x) { return x < 0 ? Math.ceil(x) : Math.floor(x); };"],
    ["a guarded static call", "var a = Array.from ? Array.from(x) : [].slice.call(x);"],
    ["Math shadowed by a parameter", "function f(Math) { return Math.trunc(1); }"],
    ["Promise#then with one handler for both", "load().then(done, done);"],
    ["a property named like a missing method", "var f = p.finally;"],
    ["members the engine has", "var k = Object.keys(o), a = Object.assign({}, o), p = Promise.all([]);"],
  ])("passes %s", (_name, source) => {
    expect(findings(source)).toEqual([]);
  });
});

describe("prototype-builtin", () => {
  it.each([
    ["Array.prototype.slice", "var args = Array.prototype.slice.call(arguments);", ["1:12"]],
    ["a computed member", 'var s = Array.prototype["slice"];', ["1:9"]],
    ["Function.prototype.apply", "Function.prototype.apply.call(f, null, [1]);", ["1:1"]],
    ["String.prototype.trim", "var t = String.prototype.trim.call(s);", ["1:9"]],
    ["Promise.prototype.then", "var then = Promise.prototype.then;", ["1:12"]],
    ["Uint8Array.prototype.set", "Uint8Array.prototype.set.call(a, b);", ["1:1"]],
    ["Object.prototype.propertyIsEnumerable", "Object.prototype.propertyIsEnumerable.call(o, k);", ["1:1"]],
  ])("reports %s", (_name, source, places) => {
    expect(placesOf(source, "prototype-builtin")).toEqual(places);
  });

  it("says to read the method from an instance", () => {
    expect(findings("Array.prototype.slice.call(x);")[0]!.message).toContain("`[].slice.call(...)`");
    expect(findings('String.prototype.charCodeAt.call(s, 0);')[0]!.message).toContain('`"".charCodeAt.call(...)`');
  });

  it.each([
    ["an instance's method", "var args = [].slice.call(arguments), c = ''.charCodeAt.call(s, 0);"],
    ["a polyfill assigned to a prototype", "Array.prototype.last = function () { return this[this.length - 1]; };"],
    ["reading back what a polyfill assigned", "Array.prototype.last = function () {};\nvar l = Array.prototype.last.call(xs);"],
    ["Object.prototype methods the engine shows", "Object.prototype.hasOwnProperty.call(o, k); Object.prototype.toString.call(o);"],
    ["a prototype object itself", "var p = Object.create(Array.prototype);"],
    ["a builtin shadowed by a parameter", "function f(Array) { return Array.prototype.slice; }"],
    ["a presence test", "if (!String.prototype.padStart) { pad = 1; }"],
  ])("passes %s", (_name, source) => {
    expect(findings(source)).toEqual([]);
  });
});
