// Finds the parts of a regular expression that the engine's matcher gets
// wrong. The engine walks the pattern text directly (src/jswrap_regexp.c):
// it knows characters, escapes, classes, `.`, `^`, `$`, top-level `|`,
// capturing groups, and `*`/`+` after a single character or class; anything
// else is matched as literal text or mis-matched (docs/engine.md,
// "Regular expressions").
import { REGEXP_ESCAPES_SUPPORTED, REGEXP_FLAGS_SUPPORTED } from "../engine/profile.js";

export interface RegexpProblem {
  /** Offset of the offending part in the pattern, or in the flags when `inFlags`. */
  offset: number;
  inFlags: boolean;
  message: string;
}

/** What the previous part of the pattern was, to judge a quantifier after it. */
type Previous = "nothing" | "atom" | "group" | "quantifier" | "reported-quantifier";

const BY_HAND = "parse the text by hand with indexOf/substring/charCodeAt";

export function findRegexpProblems(pattern: string, flags: string): RegexpProblem[] {
  const problems: RegexpProblem[] = [];
  const problem = (offset: number, message: string) => problems.push({ offset, inFlags: false, message });
  let previous: Previous = "nothing";
  let quantifierAt = 0;
  let depth = 0;
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i]!;
    switch (char) {
      case "\\": {
        const message = escapeProblem(pattern, i, false);
        if (message) problem(i, message);
        previous = "atom";
        i += escapeLength(pattern, i);
        continue;
      }
      case "[":
        i = scanClass(pattern, i, problem);
        previous = "atom";
        continue;
      case "(":
        if (pattern[i + 1] === "?") {
          const { length, message } = specialGroup(pattern, i);
          problem(i, message);
          i += length;
        } else {
          i += 1;
        }
        depth += 1;
        previous = "nothing";
        continue;
      case ")":
        depth = Math.max(0, depth - 1);
        previous = "group";
        i += 1;
        continue;
      case "|":
        // The engine ends the whole match at a `|` it meets inside a group,
        // and retries the alternative from the start of the pattern.
        if (depth > 0) problem(i, `alternation \`|\` inside a group is matched wrongly by the engine: write separate patterns and test each, or ${BY_HAND}`);
        previous = "nothing";
        i += 1;
        continue;
      case "*":
      case "+":
      case "?":
        if (previous === "quantifier" && char === "?") {
          problem(quantifierAt, `lazy quantifier \`${pattern[quantifierAt]}?\` is not supported by the engine (it matches a literal "?"): use a greedy \`${pattern[quantifierAt]}\` with a narrower character class, or ${BY_HAND}`);
          previous = "reported-quantifier";
        } else if (previous === "quantifier" || previous === "reported-quantifier") {
          previous = "reported-quantifier";
        } else if (previous === "group") {
          problem(i, `quantifier \`${char}\` on a group is not supported by the engine (it matches a literal "${char}"): repeat the group's text explicitly, or ${BY_HAND}`);
          previous = "reported-quantifier";
        } else if (char === "?") {
          problem(i, `optional quantifier \`?\` is not supported by the engine (it matches a literal "?"): write one pattern with and one without the part, or ${BY_HAND}`);
          previous = "reported-quantifier";
        } else {
          previous = "quantifier";
          quantifierAt = i;
        }
        i += 1;
        continue;
      case "{": {
        const end = countedQuantifierEnd(pattern, i);
        if (end > 0) {
          problem(i, `counted quantifier \`${pattern.slice(i, end)}\` is not supported by the engine (it matches the braces literally): repeat the part (\`\\d\\d\\d\` for \`\\d{3}\`), or ${BY_HAND}`);
          previous = "reported-quantifier";
          i = end;
        } else {
          previous = "atom";
          i += 1;
        }
        continue;
      }
      default:
        previous = char === "^" || char === "$" ? "nothing" : "atom";
        i += 1;
    }
  }
  for (let f = 0; f < flags.length; f++) {
    if (!REGEXP_FLAGS_SUPPORTED.includes(flags[f]!)) {
      problems.push({
        offset: f,
        inFlags: true,
        message: `flag \`${flags[f]}\` is not supported by the engine, which knows only ${[...REGEXP_FLAGS_SUPPORTED].map((x) => `\`${x}\``).join(" and ")}: drop it and ${BY_HAND}`,
      });
    }
  }
  return problems;
}

/** Scans a character class from its `[`; returns the offset after its `]`. */
function scanClass(pattern: string, start: number, problem: (offset: number, message: string) => void): number {
  let i = start + 1;
  if (pattern[i] === "^") i += 1;
  // A `]` right at the start is part of the class in some dialects, but ES5 reads `[]` as an empty class.
  while (i < pattern.length && pattern[i] !== "]") {
    if (pattern[i] === "\\") {
      const message = escapeProblem(pattern, i, true);
      if (message) problem(i, message);
      i += escapeLength(pattern, i);
    } else {
      i += 1;
    }
  }
  return i + 1;
}

function escapeProblem(pattern: string, at: number, inClass: boolean): string | null {
  const escaped = pattern[at + 1];
  if (escaped === undefined || !(isDigit(escaped) || isLetter(escaped))) return null;
  if (REGEXP_ESCAPES_SUPPORTED.includes(escaped)) return null;
  switch (escaped) {
    case "b":
      if (inClass) return null;
      return `\`\\b\` matches a backspace on the engine, not a word boundary: test the neighbouring characters by hand (charCodeAt)`;
    case "B":
      return `\`\\B\` (not a word boundary) is not supported by the engine (it matches a plain "B"): test the neighbouring characters by hand (charCodeAt)`;
    case "u":
      return `\`\\u\` escapes are not supported by the engine (it matches a plain "u"); its strings are bytes: use \`\\xHH\``;
    case "c":
      return `control escapes \`\\c\` are not supported by the engine (it matches a plain "c"): use \`\\xHH\``;
    default:
      if (isDigit(escaped)) {
        return `backreference \`\\${escaped}\` throws "Backreferences not supported" on the engine: compare the captured text by hand`;
      }
      // Any other escaped letter matches that letter, on the engine as in ES5.
      return null;
  }
}

function escapeLength(pattern: string, at: number): number {
  const isHex = (offset: number) => isHexDigit(pattern[offset] ?? "");
  switch (pattern[at + 1]) {
    case "x":
      return isHex(at + 2) && isHex(at + 3) ? 4 : 2;
    case "u":
      return [2, 3, 4, 5].every((k) => isHex(at + k)) ? 6 : 2;
    case "c":
      return isLetter(pattern[at + 2] ?? "") ? 3 : 2;
    default:
      return 2;
  }
}

/** `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`: how long the opener is and what to say. */
function specialGroup(pattern: string, at: number): { length: number; message: string } {
  const kind = pattern[at + 2];
  if (kind === ":") {
    return { length: 3, message: `non-capturing group \`(?:\` is not supported by the engine: use a plain group \`(...)\`, or none` };
  }
  if (kind === "=" || kind === "!") {
    return { length: 3, message: `lookahead \`(?${kind}\` is not supported by the engine: test the following characters by hand (indexOf/charCodeAt)` };
  }
  if (kind === "<" && (pattern[at + 3] === "=" || pattern[at + 3] === "!")) {
    return { length: 4, message: `lookbehind \`(?<${pattern[at + 3]}\` is not supported by the engine: test the preceding characters by hand (charCodeAt)` };
  }
  return { length: 2, message: `group syntax \`(?\` is not supported by the engine: use a plain group \`(...)\`` };
}

/** The offset after a `{n}`, `{n,}` or `{n,m}` starting at `at`, or -1 when the brace is literal text. */
function countedQuantifierEnd(pattern: string, at: number): number {
  let i = at + 1;
  const digits = () => {
    const from = i;
    while (i < pattern.length && isDigit(pattern[i]!)) i += 1;
    return i > from;
  };
  if (!digits()) return -1;
  if (pattern[i] === ",") {
    i += 1;
    digits();
  }
  return pattern[i] === "}" ? i + 1 : -1;
}

function isDigit(char: string): boolean {
  return char >= "0" && char <= "9";
}

function isLetter(char: string): boolean {
  return (char >= "a" && char <= "z") || (char >= "A" && char <= "Z");
}

function isHexDigit(char: string): boolean {
  return isDigit(char) || (char >= "a" && char <= "f") || (char >= "A" && char <= "F");
}
