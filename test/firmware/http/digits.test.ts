// Numbers in the protocol fields the device reads (status codes, lengths,
// chunk sizes, ports): digits only, nothing the engine's parseInt would
// also take.
import { expect, it } from "vitest";
import { digits } from "../../../firmware/src/http/digits.js";

it("reads decimal and hex digits, leading zeros and either case of hex included", () => {
  expect(digits("0", 10)).toBe(0);
  expect(digits("1048576", 10)).toBe(1048576);
  expect(digits("007", 10)).toBe(7);
  expect(digits("999999999999999", 10)).toBe(999999999999999);
  expect(digits("ff", 16)).toBe(255);
  expect(digits("FF", 16)).toBe(255);
  expect(digits("0000a", 16)).toBe(10);
});

it("gives -1 for signs, spaces, prefixes, exponents, other digits and more than 15 digits", () => {
  for (const [text, radix] of [
    ["", 10],
    ["+1", 10],
    ["-1", 10],
    [" 1", 10],
    ["1 ", 10],
    ["1e3", 10],
    ["1.5", 10],
    ["a", 10],
    ["0x10", 16],
    ["0b1", 10],
    ["g", 16],
    ["1\x00", 10],
    ["\u0661", 10],
    ["1000000000000000", 10],
  ] as const) {
    expect(digits(text, radix), JSON.stringify(text)).toBe(-1);
  }
});
