// Reads board definitions: the ones shipped in boards/ (by id) or a user's
// own file (by path).
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { BOARDS_DIR } from "../paths.js";
import { BoardError } from "./board-error.js";
import type { BoardDefinition } from "./types.js";
import { validateBoard } from "./validate.js";

const SCHEMA_FILE = "schema.json";

/**
 * Loads a shipped board by id ("esp32-devkitc") or any board file by path
 * ("./my-board.json"; anything with a slash or ending in ".json").
 */
export async function loadBoard(idOrPath: string): Promise<BoardDefinition> {
  if (isPath(idOrPath)) return readBoardFile(idOrPath, idOrPath);
  const ids = await shippedBoardIds();
  if (!ids.includes(idOrPath)) {
    throw new BoardError(idOrPath, [
      {
        field: "",
        message:
          `no such board. Shipped boards: ${ids.join(", ")}. ` +
          "For another board, pass the path of its JSON file (docs/boards.md says how to write one).",
      },
    ]);
  }
  return readShippedBoard(idOrPath);
}

/** Every board shipped in boards/, validated, in id order. */
export async function listBoards(): Promise<BoardDefinition[]> {
  const ids = await shippedBoardIds();
  return Promise.all(ids.map((id) => readShippedBoard(id)));
}

function isPath(idOrPath: string): boolean {
  return idOrPath.includes("/") || idOrPath.includes("\\") || idOrPath.endsWith(".json");
}

async function shippedBoardIds(): Promise<string[]> {
  const files = await readdir(BOARDS_DIR);
  return files
    .filter((file) => file.endsWith(".json") && file !== SCHEMA_FILE)
    .map((file) => basename(file, ".json"))
    .sort();
}

async function readShippedBoard(id: string): Promise<BoardDefinition> {
  const source = `boards/${id}.json`;
  const board = await readBoardFile(join(BOARDS_DIR, `${id}.json`), source);
  if (board.id !== id) {
    throw new BoardError(source, [{ field: "id", message: `must match the file name "${id}", got ${JSON.stringify(board.id)}` }]);
  }
  return board;
}

async function readBoardFile(path: string, source: string): Promise<BoardDefinition> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new BoardError(source, [{ field: "", message: `cannot be read (${reason}): check the path` }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BoardError(source, [{ field: "", message: `is not valid JSON: ${(error as Error).message}` }]);
  }
  return validateBoard(value, source);
}
