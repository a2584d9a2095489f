// boards/schema.json is what editors check board files against; the
// validator is what ferry runs. Both must demand the same fields.
import { describe, expect, it } from "vitest";
import { BoardError, validateBoard } from "../../host-tools/src/boards/index.js";
import {
  ABSENT_GPIOS,
  CONSOLE_GPIOS,
  FLASH_BUS_GPIOS,
  FLASH_CHIP_SIZES,
  INPUT_ONLY_GPIOS,
} from "../../host-tools/src/boards/esp32.js";
import { boardJson, schemaJson, type Json } from "./board-files.js";

const schema = schemaJson();

/** Follows "$ref" and picks the object branch of `anyOf: [null, {...}]`. */
function resolve(node: Json): Json {
  if (typeof node.$ref === "string") return resolve(schema.$defs[node.$ref.replace("#/$defs/", "")]);
  if (Array.isArray(node.anyOf)) return resolve(node.anyOf.find((branch: Json) => branch.type !== "null"));
  return node;
}

// Every object level of a board, as [path in messages, schema node, how to reach it in a board].
const LEVELS: Array<[string, Json, (board: Json) => Json]> = [
  ["", schema, (b) => b],
  ["flash", resolve(schema.properties.flash), (b) => b.flash],
  ["storage", resolve(schema.properties.storage), (b) => b.storage],
  ["images[0]", resolve(schema.properties.images.items), (b) => b.images[0]],
  ["sdCard", resolve(schema.properties.sdCard), (b) => b.sdCard],
  ["led", resolve(schema.properties.led), (b) => b.led],
];

function fieldPath(level: string, key: string): string {
  return level === "" ? key : `${level}.${key}`;
}

function problemsOf(value: Json): BoardError["problems"] {
  try {
    validateBoard(value, "boards/schema-check.json");
    return [];
  } catch (error) {
    if (!(error instanceof BoardError)) throw error;
    return error.problems;
  }
}

describe.each(LEVELS)("schema and validator agree at %j", (level, node, reach) => {
  it("on which fields exist: the schema describes every field a full board file uses, and no other", () => {
    expect(node.additionalProperties).toBe(false);
    expect(Object.keys(node.properties).sort()).toEqual(Object.keys(reach(boardJson("esp32-wrover-kit"))).sort());
  });

  it.each(Object.keys(node.properties))("on whether %s may be left out", (key) => {
    const board = boardJson("esp32-wrover-kit");
    delete reach(board)[key];
    const problems = problemsOf(board);
    if (node.required.includes(key)) {
      expect(problems).toContainEqual({ field: fieldPath(level, key), message: expect.stringMatching(/^is missing: it must be /) });
    } else {
      expect(problems).toEqual([]);
    }
  });

  it("on refusing a field the schema does not list", () => {
    const board = boardJson("esp32-wrover-kit");
    reach(board).colour = "blue";
    expect(problemsOf(board)).toContainEqual({ field: fieldPath(level, "colour"), message: expect.stringMatching(/is not a known field/) });
  });
});

describe("schema and validator agree on values", () => {
  it("on the pins no board may use", () => {
    const gpio = schema.$defs.gpio;
    expect([...gpio.not.enum].sort((a, b) => a - b)).toEqual(
      [...ABSENT_GPIOS, ...FLASH_BUS_GPIOS, ...CONSOLE_GPIOS].sort((a, b) => a - b),
    );
    expect(gpio.maximum).toBe(Math.max(...INPUT_ONLY_GPIOS));
    expect(schema.$defs.outputGpio.allOf[1].maximum).toBe(Math.min(...INPUT_ONLY_GPIOS) - 1);
  });

  it("on the flash sizes", () => {
    expect(schema.properties.flash.properties.size.enum).toEqual(FLASH_CHIP_SIZES);
  });

  it.each([
    ["mode", schema.properties.flash.properties.mode.enum as string[]],
    ["frequency", schema.properties.flash.properties.frequency.enum as string[]],
  ])("on every flash %s the schema allows", (key, values) => {
    for (const value of values) {
      const board = boardJson("esp32-devkitc");
      board.flash[key] = value;
      expect(problemsOf(board), value).toEqual([]);
    }
  });
});
