// The device logger over an in-memory card and a clock moved by hand.
import { describe, expect, it } from "vitest";
import { createLogger, NUMBER_BLOCK, type LoggerOptions } from "../../../firmware/src/logger/logger.js";
import { logFileName, sequenceOf } from "../../../firmware/src/logger/file-names.js";
import { ManualClock, MemoryCard, MemoryRecord } from "./memory-card.js";

const HOUR = 3600_000;
/** The logger's RAM buffer: this many buffered bytes are written at once. */
const BUFFER_BYTES = 1024;

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

/** Files 1 to `count` in /logs, made in a shuffled order as a folder lists them after deletions. */
function cardWithFiles(card: MemoryCard, count: number): string[] {
  card.makeDir("/logs");
  const paths = Array.from({ length: count }, (_, i) => `/logs/${logFileName(i + 1)}`);
  let random = 11;
  const shuffled = [...paths].sort(() => (random = (random * 16807) % 2147483647) / 2147483647 - 0.5);
  for (const path of shuffled) card.files.set(path, `${path}\n`);
  return paths;
}

describe("lines", () => {
  it("are stamped with the clock's ISO time and the level, parts joined by spaces", () => {
    const { card, clock, log, consoleLines } = setup();
    log.info("boot", 3, { free: 1200 }, [1, { a: 2 }], null, undefined, true);
    log.warn("wifi lost:", new TypeError("no AP"));
    log.error("multi\nline");
    const text = card.files.get("/logs/00000001.log");
    const time = new Date(clock.now()).toISOString();
    expect(text).toBe(
      `${time} INFO boot 3 {"free":1200} [1,{"a":2}] null undefined true\n` + `${time} WARN wifi lost: TypeError: no AP\n` + `${time} ERROR multi line\n`,
    );
    expect(consoleLines).toEqual(text!.split("\n").slice(0, 3));
  });

  it("show a socket's {code, message} error as JSON, not as [object Object]", () => {
    const { card, log } = setup();
    log.warn("upload round failed:", { code: -104, message: "ECONNRESET" });
    log.flush();
    expect(allLines(card)).toEqual(['WARN upload round failed: {"code":-104,"message":"ECONNRESET"}']);
  });

  it("never throw for a value JSON cannot hold", () => {
    const { card, log } = setup();
    const circular: { self?: unknown } = {};
    circular.self = circular;
    log.error("state", circular);
    expect(allLines(card)).toEqual(["ERROR state [object Object]"]);
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
    const { card, clock, log } = setup();
    for (let i = 0; i < 20; i++) log.info(`line ${i} ${"x".repeat(30)}`);
    expect(card.appends).toHaveLength(1);
    expect(card.appends[0]!.bytes).toBeGreaterThanOrEqual(BUFFER_BYTES);
    expect(card.appends[0]!.bytes).toBeLessThan(BUFFER_BYTES + 100);
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
    const { card, log } = setup({ maxFileBytes: 500 });
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
    const closed = log.closedFiles(100);
    expect(closed.files.map((file) => file.path)).toEqual(paths.slice(0, -1));
    expect(closed.count).toBe(paths.length - 1);
    for (const file of closed.files) expect(file.size).toBe(card.files.get(file.path)!.length);
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
    expect(log.closedFiles(4).files.map((file) => file.path)).toEqual(["/logs/00000001.log"]);
  });

  it("closes an aged file when asked for closed files, even with no new line", () => {
    const { clock, log } = setup({ maxFileAgeMs: HOUR });
    log.info("lonely");
    log.flush();
    expect(log.closedFiles(4)).toEqual({ files: [], count: 0 });
    clock.advance(HOUR);
    expect(log.closedFiles(4)).toEqual({ files: [{ path: "/logs/00000001.log", size: expect.any(Number) }], count: 1 });
  });

  it("rotate() closes the current file now and the next line opens a new one", () => {
    const { card, log } = setup();
    log.info("before upload");
    expect(log.closedFiles(4).files).toEqual([]);
    log.rotate();
    expect(log.closedFiles(4).files).toEqual([{ path: "/logs/00000001.log", size: card.files.get("/logs/00000001.log")!.length }]);
    log.rotate();
    expect(card.files.size).toBe(1);
    log.info("after upload");
    log.flush();
    expect([...card.files.keys()]).toEqual(["/logs/00000001.log", "/logs/00000002.log"]);
  });

  it("never writes a file again once it is closed, nor reuses the name of one uploaded, whatever happens", () => {
    const { card, clock, log, start } = setup({ maxFileBytes: 400, maxFileAgeMs: HOUR });
    let logger = log;
    // Each file's content when it was first reported closed, and the files uploaded and deleted.
    const closed = new Map<string, string>();
    const uploaded = new Set<string>();
    // Checked as each write happens: a file is closed once closedFiles returned it.
    const violations: string[] = [];
    const append = card.append.bind(card);
    card.append = (path, data) => {
      if (uploaded.has(path)) violations.push(`${path} written again after it was uploaded`);
      else if (closed.has(path)) violations.push(`${path} written after it was closed`);
      append(path, data);
    };
    let random = 7;
    const next = () => (random = (random * 1103515245 + 12345) % 2147483648) / 2147483648;
    /** An upload round: the files in backoff are skipped, most others are sent and deleted. */
    const upload = (max: number, backoff: number) => {
      const batch = logger.closedFiles(max, () => next() < backoff);
      expect(batch.files.length).toBeLessThanOrEqual(Math.min(max, batch.count));
      for (const file of batch.files) {
        if (!closed.has(file.path)) closed.set(file.path, card.files.get(file.path)!);
        if (next() < 0.8) {
          card.remove(file.path);
          uploaded.add(file.path);
        }
      }
    };
    for (let step = 0; step < 3000; step++) {
      const roll = next();
      if (roll < 0.6) logger.info(`step ${step} ${"z".repeat(Math.floor(next() * 80))}`);
      else if (roll < 0.7) logger.error(`step ${step}`);
      else if (roll < 0.8) clock.advance(Math.floor(next() * HOUR * 0.7));
      else if (roll < 0.85) logger.rotate();
      else if (roll < 0.9) card.inserted = !card.inserted;
      else if (roll < 0.92) {
        // Often with the card emptied just before: no file left to tell the numbers used.
        if (card.inserted && next() < 0.5) {
          logger.rotate();
          upload(1000, 0);
        }
        clock.powerCut();
        logger = start();
      } else if (card.inserted) upload(1 + Math.floor(next() * 4), 0.3);
      expect(violations, `step ${step}`).toEqual([]);
      if (card.inserted && step % 10 === 0) {
        for (const file of logger.closedFiles(1000).files) if (!closed.has(file.path)) closed.set(file.path, card.files.get(file.path)!);
      }
    }
    for (const [path, content] of closed) if (!uploaded.has(path)) expect(card.files.get(path), path).toBe(content);
    expect(closed.size).toBeGreaterThan(50);
    expect(uploaded.size).toBeGreaterThan(50);
  });
});

describe("closed files", () => {
  it("are the oldest the caller does not skip, at most `max`, oldest first; all of them are counted", () => {
    const { card, log } = setup();
    const paths = cardWithFiles(card, 300);
    const backoff = new Set([paths[0], paths[2]]);
    const asked: string[] = [];
    const closed = log.closedFiles(4, (path) => {
      asked.push(path);
      return backoff.has(path);
    });
    expect(closed.files).toEqual([1, 3, 4, 5].map((i) => ({ path: paths[i], size: paths[i]!.length + 1 })));
    expect(closed.count).toBe(300);
    expect(asked.sort()).toEqual(paths);
    expect(log.closedFiles(0)).toEqual({ files: [], count: 300 });
    expect(log.closedFiles(1000).files.map((file) => file.path)).toEqual(paths);
  });

  it("are stat'ed only when returned, however many wait on the card", () => {
    for (const waiting of [20, 400]) {
      const { card, log } = setup();
      cardWithFiles(card, waiting);
      log.closedFiles(0);
      card.stats.length = 0;
      const closed = log.closedFiles(4);
      expect(card.stats).toEqual(closed.files.map((file) => file.path));
      expect(closed.files).toHaveLength(4);
      card.stats.length = 0;
      expect(log.closedFiles(0).count).toBe(waiting);
      expect(card.stats).toEqual([]);
    }
  });

  it("leave out the file being written, other names, and folders", () => {
    const { card, log } = setup();
    card.makeDir("/logs");
    card.append("/logs/readme.txt", "not a log");
    card.makeDir("/logs/00000099.log");
    card.append("/logs/00000010.log", "older\n");
    card.append("/logs/00000009.log", "oldest\n");
    log.info("new");
    log.flush();
    expect(log.closedFiles(10).files.map((file) => file.path)).toEqual(["/logs/00000009.log", "/logs/00000010.log"]);
    log.rotate();
    expect(log.closedFiles(10).files.map((file) => file.path)).toEqual(["/logs/00000009.log", "/logs/00000010.log", "/logs/00000100.log"]);
  });

  it("are none while the card is out, then all of them again", () => {
    const { card, log } = setup();
    log.info("x");
    log.rotate();
    card.inserted = false;
    expect(log.closedFiles(4)).toEqual({ files: [], count: 0 });
    card.inserted = true;
    expect(log.closedFiles(4).files.map((file) => file.path)).toEqual(["/logs/00000001.log"]);
  });
});

describe("file numbers", () => {
  it("continue after a reboot past the block reserved in Storage; the file open at the reboot becomes closed", () => {
    const { card, log, start, sequence } = setup();
    log.info("boot 1");
    log.flush();
    expect(sequence.value).toEqual({ next: 1 + NUMBER_BLOCK });
    const after = start();
    expect(after.closedFiles(4).files).toEqual([{ path: "/logs/00000001.log", size: card.files.get("/logs/00000001.log")!.length }]);
    after.info("boot 2");
    after.flush();
    expect(card.files.get(`/logs/${logFileName(1 + NUMBER_BLOCK)}`)).toContain("INFO boot 2");
    expect(card.files.get("/logs/00000001.log")).not.toContain("boot 2");
  });

  it("rewrite the Storage record once a boot and once per block of files, not per file", () => {
    const { card, log, start, sequence } = setup({ maxFileBytes: 100 });
    for (let i = 0; i < 50; i++) log.info(`line ${i} ${"x".repeat(40)}`);
    log.flush();
    expect(card.files.size).toBe(50);
    expect(sequence.writes).toBe(Math.ceil(50 / NUMBER_BLOCK));
    const rebooted = start();
    rebooted.info("after reboot");
    rebooted.flush();
    rebooted.info("still the same file");
    rebooted.closedFiles(4);
    rebooted.flush();
    expect(sequence.writes).toBe(Math.ceil(50 / NUMBER_BLOCK) + 1);
  });

  it("are never reused, after uploads deleted the files or with Storage wiped", () => {
    const { card, log, start, sequence } = setup();
    for (const text of ["a", "b", "c"]) {
      log.info(text);
      log.rotate();
    }
    for (const file of log.closedFiles(4).files) card.remove(file.path);
    const afterUploads = start();
    afterUploads.info("d");
    afterUploads.flush();
    const fourth = `/logs/${logFileName(1 + NUMBER_BLOCK)}`;
    expect([...card.files.keys()]).toEqual([fourth]);
    sequence.value = undefined;
    const afterWipe = start();
    afterWipe.info("e");
    afterWipe.flush();
    expect([...card.files.keys()]).toEqual([fourth, `/logs/${logFileName(2 + NUMBER_BLOCK)}`]);
  });

  it("are never reused when Storage lost its record and every file is uploaded before this boot's first line", () => {
    const { card, start, sequence } = setup();
    card.dirs.add("/logs");
    card.files.set("/logs/00000007.log", "from an earlier boot\n");
    const log = start();
    for (const file of log.closedFiles(4).files) card.remove(file.path);
    // Reserved before the files were handed out: the card's number is in Storage now.
    expect(sequence.value).toEqual({ next: 8 + NUMBER_BLOCK });
    log.info("first line of this boot");
    log.flush();
    expect([...card.files.keys()]).toEqual(["/logs/00000008.log"]);
    // And after a reboot that came before any line was written.
    card.remove("/logs/00000008.log");
    const rebooted = start();
    rebooted.info("x");
    rebooted.flush();
    expect([...card.files.keys()]).toEqual([`/logs/${logFileName(8 + NUMBER_BLOCK)}`]);
  });

  it("sort in the order the files were written, and only the logger's own names count", () => {
    expect(logFileName(42)).toBe("00000042.log");
    expect(sequenceOf("00000042.log")).toBe(42);
    for (const other of [".", "..", "notes.txt", "0000042.log", "00000042.txt", "000000-1.log", "+0000042.log", "00000042.log.bak"]) {
      expect(sequenceOf(other), other).toBe(-1);
    }
  });
});

describe("the card failing", () => {
  it("loses lines instead of throwing, and says so in the log once it works again", () => {
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
    expect(consoleLines.filter((line) => line.startsWith("log: cannot write"))).toEqual(["log: cannot write: Error: Could not open file : NOT_READY"]);
    card.inserted = true;
    log.info("back");
    log.flush();
    // The later failures came from reading the folder again; the file that
    // was open when the card failed is left as it was.
    expect(allLines(card)).toEqual(["INFO kept", "WARN log: 4 lines lost: Error: Unable to stat file : NOT_READY", "INFO back"]);
    expect([...card.files.keys()]).toEqual(["/logs/00000001.log", `/logs/${logFileName(1 + NUMBER_BLOCK)}`]);
  });

  it("holds no more than its buffer while the card is out", () => {
    const { card, log } = setup();
    card.inserted = false;
    for (let i = 0; i < 1000; i++) log.info(`while out ${i}`);
    card.inserted = true;
    log.flush();
    const written = allLines(card);
    const lost = Number(/^WARN log: (\d+) lines lost: /.exec(written[0]!)![1]);
    expect(lost).toBeGreaterThan(1000 - BUFFER_BYTES / 20);
    expect(written.length - 1 + lost).toBe(1000);
    expect(written.slice(1).join("\n").length).toBeLessThan(BUFFER_BYTES + 100);
  });

  it("creates its folder on a fresh card, and copes with a card that had none at boot", () => {
    const { card, log, start } = setup();
    expect(log.closedFiles(4)).toEqual({ files: [], count: 0 });
    expect(card.dirs.has("/logs")).toBe(true);
    const other = new MemoryCard();
    other.inserted = false;
    const late = start({ files: other });
    late.info("no card yet");
    late.flush();
    other.inserted = true;
    expect(other.dirs.has("/logs")).toBe(false);
    late.info("card in");
    late.flush();
    expect(other.dirs.has("/logs")).toBe(true);
    expect(allLines(other)).toEqual(["WARN log: 1 lines lost: Error: Unable to stat file : NOT_READY", "INFO card in"]);
  });
});
