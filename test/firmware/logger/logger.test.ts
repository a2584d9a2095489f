// The device logger over an in-memory card and a clock moved by hand.
import { describe, expect, it } from "vitest";
import { createLogger, type LoggerOptions } from "../../../firmware/src/logger/logger.js";
import { logFileName, sequenceOf } from "../../../firmware/src/logger/file-names.js";
import { ManualClock, MemoryCard, MemoryRecord } from "./memory-card.js";

const HOUR = 3600_000;

function setup(options: Partial<LoggerOptions> = {}) {
  const card = new MemoryCard();
  const clock = new ManualClock();
  const sequence = new MemoryRecord<{ next: number }>();
  const consoleLines: string[] = [];
  const start = (more: Partial<LoggerOptions> = {}) =>
    createLogger({ files: card, clock, sequence, console: (line) => consoleLines.push(line), ...options, ...more });
  return { card, clock, sequence, consoleLines, log: start(), start };
}

/** Every line in the card's log files, in file order, without its time stamp. */
function allLines(card: MemoryCard): string[] {
  return [...card.files.keys()]
    .sort()
    .flatMap((path) => card.files.get(path)!.split("\n").filter((line) => line !== ""))
    .map((line) => line.slice(line.indexOf(" ") + 1));
}

describe("lines", () => {
  it("are stamped with the clock's ISO time and the level, parts joined by spaces", () => {
    const { card, clock, log, consoleLines } = setup();
    log.info("boot", 3, { free: 1200 }, [1, 2], null, undefined, true);
    log.warn("wifi lost:", new TypeError("no AP"));
    log.error("multi\nline");
    const text = card.files.get("/logs/00000001.log");
    const time = new Date(clock.now()).toISOString();
    expect(text).toBe(
      `${time} INFO boot 3 {"free":1200} [1,2] null undefined true\n` + `${time} WARN wifi lost: TypeError: no AP\n` + `${time} ERROR multi line\n`,
    );
    expect(consoleLines).toEqual(text!.split("\n").slice(0, 3));
  });

  it("never throw for a value JSON cannot hold", () => {
    const { card, log } = setup();
    const circular: { self?: unknown } = {};
    circular.self = circular;
    log.error("state", circular);
    expect(allLines(card)).toEqual(["ERROR state [object Object]"]);
  });

  it("leave debug out unless asked for", () => {
    const quiet = setup();
    quiet.log.debug("detail");
    quiet.log.error("x");
    expect(allLines(quiet.card)).toEqual(["ERROR x"]);
    expect(quiet.consoleLines).toHaveLength(1);
    const chatty = setup({ level: "debug" });
    chatty.log.debug("detail");
    chatty.log.error("x");
    expect(allLines(chatty.card)).toEqual(["DEBUG detail", "ERROR x"]);
    const terse = setup({ level: "warn" });
    terse.log.info("i");
    terse.log.warn("w");
    terse.log.flush();
    expect(allLines(terse.card)).toEqual(["WARN w"]);
  });
});

describe("buffering", () => {
  it("holds lines in RAM until the flush timer, then writes them in one append", () => {
    const { card, clock, log } = setup({ flushMs: 5000 });
    log.info("one");
    log.info("two");
    expect(card.appends).toEqual([]);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(4999);
    expect(card.appends).toEqual([]);
    clock.advance(1);
    expect(card.appends).toHaveLength(1);
    expect(allLines(card)).toEqual(["INFO one", "INFO two"]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("writes at once when the buffer fills or an error is logged", () => {
    const { card, clock, log } = setup({ bufferBytes: 200 });
    for (let i = 0; i < 5; i++) log.info(`line ${i} ${"x".repeat(30)}`);
    expect(card.appends).toHaveLength(1);
    expect(card.appends[0]!.bytes).toBeGreaterThanOrEqual(200);
    log.info("waits");
    log.error("now");
    expect(card.appends).toHaveLength(2);
    expect(allLines(card).slice(-2)).toEqual(["INFO waits", "ERROR now"]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("flush() writes what is buffered and cancels the timer", () => {
    const { card, clock, log } = setup();
    log.info("a");
    log.flush();
    expect(allLines(card)).toEqual(["INFO a"]);
    expect(clock.pendingTimers).toBe(0);
    log.flush();
    expect(card.appends).toHaveLength(1);
  });
});

describe("rotation", () => {
  it("starts a new file before a line would pass the size limit", () => {
    const { card, log } = setup({ maxFileBytes: 500, bufferBytes: 120 });
    const written: string[] = [];
    for (let i = 0; i < 60; i++) {
      const text = `entry ${i} ${"y".repeat(i % 17)}`;
      written.push(`INFO ${text}`);
      log.info(text);
    }
    log.flush();
    const paths = [...card.files.keys()].sort();
    expect(paths.length).toBeGreaterThan(4);
    expect(paths).toEqual(paths.map((_, i) => `/logs/${logFileName(i + 1)}`));
    for (const path of paths) expect(card.files.get(path)!.length).toBeLessThanOrEqual(500);
    // Full files: the next line would not have fitted.
    for (const path of paths.slice(0, -1)) expect(card.files.get(path)!.length).toBeGreaterThan(500 - 60);
    expect(allLines(card)).toEqual(written);
    const closed = log.closedFiles();
    expect(closed.map((file) => file.path)).toEqual(paths.slice(0, -1));
    for (const file of closed) expect(file.size).toBe(card.files.get(file.path)!.length);
  });

  it("starts a new file once the current one's first line is older than the age limit", () => {
    const { card, clock, log } = setup({ maxFileAgeMs: HOUR });
    log.info("first");
    log.flush();
    clock.advance(HOUR - 1);
    log.info("same file");
    log.flush();
    expect([...card.files.keys()]).toEqual(["/logs/00000001.log"]);
    clock.advance(1);
    log.info("next file");
    log.flush();
    expect(card.files.get("/logs/00000002.log")).toContain("INFO next file");
    expect(card.files.get("/logs/00000001.log")!.split("\n")).toHaveLength(3);
    expect(log.closedFiles().map((file) => file.path)).toEqual(["/logs/00000001.log"]);
  });

  it("closes an aged file when asked for closed files, even with no new line", () => {
    const { clock, log } = setup({ maxFileAgeMs: HOUR });
    log.info("lonely");
    log.flush();
    expect(log.closedFiles()).toEqual([]);
    clock.advance(HOUR);
    expect(log.closedFiles()).toEqual([{ path: "/logs/00000001.log", size: expect.any(Number) }]);
  });

  it("rotate() closes the current file now and the next line opens a new one", () => {
    const { card, log } = setup();
    log.info("before upload");
    expect(log.closedFiles()).toEqual([]);
    log.rotate();
    expect(log.closedFiles()).toEqual([{ path: "/logs/00000001.log", size: card.files.get("/logs/00000001.log")!.length }]);
    log.rotate();
    expect(card.files.size).toBe(1);
    log.info("after upload");
    log.flush();
    expect([...card.files.keys()]).toEqual(["/logs/00000001.log", "/logs/00000002.log"]);
  });

  it("never writes a file again once it is closed, whatever happens", () => {
    const { card, clock, log, start } = setup({ maxFileBytes: 400, maxFileAgeMs: HOUR, bufferBytes: 100 });
    let logger = log;
    // Each file's content when it was first reported closed.
    const closed = new Map<string, string>();
    let seen = 0;
    let random = 7;
    const next = () => (random = (random * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let step = 0; step < 2000; step++) {
      const roll = next();
      if (roll < 0.6) logger.info(`step ${step} ${"z".repeat(Math.floor(next() * 80))}`);
      else if (roll < 0.7) logger.error(`step ${step}`);
      else if (roll < 0.8) clock.advance(Math.floor(next() * HOUR * 0.7));
      else if (roll < 0.85) logger.rotate();
      else if (roll < 0.9) card.inserted = !card.inserted;
      else if (roll < 0.92) {
        clock.powerCut();
        logger = start();
      }
      for (const append of card.appends.slice(seen)) expect(closed.has(append.path), `step ${step}: ${append.path}`).toBe(false);
      seen = card.appends.length;
      if (card.inserted && step % 10 === 0) {
        for (const file of logger.closedFiles()) if (!closed.has(file.path)) closed.set(file.path, card.files.get(file.path)!);
      }
    }
    for (const [path, content] of closed) expect(card.files.get(path), path).toBe(content);
    expect(closed.size).toBeGreaterThan(20);
  });
});

describe("restarts", () => {
  it("continue with a new file; the one open at the reboot becomes closed", () => {
    const { card, log, start, sequence } = setup();
    log.info("boot 1");
    log.flush();
    expect(sequence.value).toEqual({ next: 2 });
    const after = start();
    expect(after.closedFiles()).toEqual([{ path: "/logs/00000001.log", size: card.files.get("/logs/00000001.log")!.length }]);
    after.info("boot 2");
    after.flush();
    expect(card.files.get("/logs/00000002.log")).toContain("INFO boot 2");
    expect(card.files.get("/logs/00000001.log")).not.toContain("boot 2");
  });

  it("never reuse a number, after uploads deleted the files or with Storage wiped", () => {
    const { card, log, start, sequence } = setup();
    for (const text of ["a", "b", "c"]) {
      log.info(text);
      log.rotate();
    }
    for (const file of log.closedFiles()) card.remove(file.path);
    const afterUploads = start();
    afterUploads.info("d");
    afterUploads.flush();
    expect([...card.files.keys()]).toEqual(["/logs/00000004.log"]);
    sequence.value = undefined;
    const afterWipe = start();
    afterWipe.info("e");
    afterWipe.flush();
    expect([...card.files.keys()]).toEqual(["/logs/00000004.log", "/logs/00000005.log"]);
  });

  it("never reuse a number when every file on the card is uploaded and deleted before the first line is written", () => {
    const { card, start, sequence } = setup();
    card.dirs.add("/logs");
    card.files.set("/logs/00000007.log", "from an earlier boot\n");
    const log = start();
    const closed = log.closedFiles();
    for (const file of closed) card.remove(file.path);
    expect(sequence.value).toEqual({ next: 8 });
    log.info("first line of this boot");
    log.flush();
    expect([...card.files.keys()]).toEqual(["/logs/00000008.log"]);
    // And after a reboot that came before any line was written.
    card.remove("/logs/00000008.log");
    const rebooted = start();
    rebooted.info("x");
    rebooted.flush();
    expect([...card.files.keys()]).toEqual(["/logs/00000009.log"]);
  });

  it("write the Storage record once per new file, not per line", () => {
    const { log, sequence } = setup({ bufferBytes: 10 });
    for (let i = 0; i < 50; i++) log.info(`line ${i}`);
    expect(sequence.writes).toBe(1);
  });
});

describe("the card failing", () => {
  it("counts lost lines instead of throwing, and says so in the log once it works again", () => {
    const { card, log, consoleLines } = setup();
    log.info("kept");
    log.flush();
    card.inserted = false;
    expect(() => {
      log.info("lost 1");
      log.info("lost 2");
      log.error("lost 3");
      log.info("lost 4");
      log.flush();
    }).not.toThrow();
    // The first failure was the append; later ones come from re-reading the folder.
    expect(log.status()).toEqual({ dropped: 4, lastError: "Error: Unable to stat file : NOT_READY" });
    expect(consoleLines.filter((line) => line.startsWith("log: cannot write"))).toEqual(["log: cannot write to the card: Error: Could not open file : NOT_READY"]);
    card.inserted = true;
    log.info("back");
    log.flush();
    // The file that was open when the card failed is left as it was.
    expect(allLines(card)).toEqual(["INFO kept", "WARN log: 4 lines lost: Error: Unable to stat file : NOT_READY", "INFO back"]);
    expect([...card.files.keys()]).toEqual(["/logs/00000001.log", "/logs/00000002.log"]);
    expect(log.status().dropped).toBe(4);
  });

  it("holds no more than its buffer while the card is out", () => {
    const { card, log } = setup({ bufferBytes: 300 });
    card.inserted = false;
    for (let i = 0; i < 1000; i++) log.info(`while out ${i}`);
    expect(log.status().dropped).toBeGreaterThan(1000 - 300 / 20);
    card.inserted = true;
    log.flush();
    const written = allLines(card);
    expect(written[0]).toMatch(/^WARN log: \d+ lines lost: /);
    expect(written.length - 1 + log.status().dropped).toBe(1000);
    expect(written.join("\n").length).toBeLessThan(300 + 100);
  });

  it("answers no closed files while the card is out, then all of them", () => {
    const { card, log } = setup();
    log.info("x");
    log.rotate();
    card.inserted = false;
    expect(log.closedFiles()).toEqual([]);
    expect(log.status().lastError).toBe("Error: Unable to stat file : NOT_READY");
    card.inserted = true;
    expect(log.closedFiles().map((file) => file.path)).toEqual(["/logs/00000001.log"]);
  });

  it("creates its folder on a fresh card, and copes with a card that had none at boot", () => {
    const { card, log } = setup();
    expect(log.closedFiles()).toEqual([]);
    expect(log.status()).toEqual({ dropped: 0 });
    card.inserted = false;
    log.info("no card yet");
    log.flush();
    card.inserted = true;
    expect(card.dirs.has("/logs")).toBe(false);
    log.info("card in");
    log.flush();
    expect(card.dirs.has("/logs")).toBe(true);
    expect(allLines(card)).toEqual(["WARN log: 1 lines lost: Error: Unable to stat file : NOT_READY", "INFO card in"]);
  });
});

describe("paths", () => {
  it("fit the engine's 63 characters, and a folder that would not fit is refused up front", () => {
    const longest = `/${"d".repeat(49)}`;
    const { card, log } = setup({ dir: longest });
    card.makeDir(longest);
    log.info("fits");
    log.flush();
    expect([...card.files.keys()].map((path) => path.length)).toEqual([63]);
    expect(() => setup({ dir: `${longest}x` })).toThrow(/too long/);
  });

  it("name files so they sort in the order they were written, and ignore other files", () => {
    expect(logFileName(42)).toBe("00000042.log");
    expect(sequenceOf("00000042.log")).toBe(42);
    for (const other of [".", "..", "notes.txt", "0000042.log", "00000042.txt", "000000-1.log", "+0000042.log", "00000042.log.bak"]) {
      expect(sequenceOf(other), other).toBe(-1);
    }
    const { card, log } = setup();
    card.makeDir("/logs");
    card.append("/logs/readme.txt", "not a log");
    card.makeDir("/logs/00000099.log");
    card.append("/logs/00000010.log", "older\n");
    card.append("/logs/00000009.log", "oldest\n");
    log.info("new");
    log.rotate();
    expect(log.closedFiles().map((file) => file.path)).toEqual(["/logs/00000009.log", "/logs/00000010.log", "/logs/00000100.log"]);
  });
});
