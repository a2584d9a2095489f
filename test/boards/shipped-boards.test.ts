import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BoardError, listBoards, loadBoard } from "../../host-tools/src/boards/index.js";
import { BOARDS_DIR } from "../../host-tools/src/paths.js";
import { boardJson } from "./board-files.js";

describe("the boards shipped in boards/", () => {
  it("every board file validates and is named after its id", async () => {
    const files = (await readdir(BOARDS_DIR)).filter((f) => f.endsWith(".json") && f !== "schema.json");
    const boards = await listBoards();
    expect(boards.map((b) => `${b.id}.json`)).toEqual(files.sort());
    expect(boards.length).toBeGreaterThanOrEqual(3);
  });

  it("every board cites at least one vendor document", async () => {
    for (const board of await listBoards()) {
      expect(board.sources.some((s) => /^https:\/\/(docs\.espressif\.com|www\.espressif\.com|www\.wemos\.cc)\//.test(s)), board.id).toBe(true);
    }
  });

  it("loads the same board by id and by path, without the editor's $schema key", async () => {
    const byId = await loadBoard("esp32-devkitc");
    const byPath = await loadBoard(join(BOARDS_DIR, "esp32-devkitc.json"));
    expect(byPath).toEqual(byId);
    expect(Object.keys(byId)).not.toContain("$schema");
  });

  it("names the shipped boards when the id is unknown", async () => {
    await expect(loadBoard("esp32-nonesuch")).rejects.toThrow(
      /esp32-nonesuch: no such board\. Shipped boards: esp32-devkitc, esp32-wrover-kit, lolin-d32-pro\./,
    );
  });
});

describe("a user's own board file", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-boards-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads from its path, with an SD module wired to the VSPI pins docs/boards.md suggests", async () => {
    const board = boardJson("esp32-devkitc");
    board.id = "my-logger";
    board.sdCard = { interface: "spi", sck: 18, miso: 19, mosi: 23, cs: 5 };
    const path = join(dir, "my-logger.json");
    await writeFile(path, JSON.stringify(board));
    const loaded = await loadBoard(path);
    expect(loaded.sdCard).toEqual({ interface: "spi", sck: 18, miso: 19, mosi: 23, cs: 5 });
  });

  it("reports a wiring mistake with the file's path and the field", async () => {
    const board = boardJson("esp32-devkitc");
    board.led = { pin: 34, activeHigh: true };
    const path = join(dir, "bad.json");
    await writeFile(path, JSON.stringify(board));
    const error = await loadBoard(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BoardError);
    expect((error as BoardError).message).toContain(`${path}: led.pin is GPIO34, an input-only pin`);
  });

  it("reports a file that is not JSON, and one that does not exist", async () => {
    const path = join(dir, "broken.json");
    await writeFile(path, "{ \"id\": ");
    await expect(loadBoard(path)).rejects.toThrow(`${path}: is not valid JSON`);
    const missing = join(dir, "missing.json");
    await expect(loadBoard(missing)).rejects.toThrow(`${missing}: cannot be read (no such file)`);
  });
});
