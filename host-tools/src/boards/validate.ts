// Turns a parsed board file into a BoardDefinition, or throws a BoardError
// naming the file, every wrong field and what it must be.
import { BoardError } from "./board-error.js";
import { checkEngineBudget } from "./engine-budget.js";
import { checkFlashLayout } from "./layout.js";
import { checkShape } from "./shape.js";
import type { BoardDefinition } from "./types.js";
import { checkWiring } from "./wiring.js";

/**
 * @param value  the parsed JSON
 * @param source where it came from, used to start every message, e.g. "boards/x.json"
 */
export function validateBoard(value: unknown, source: string): BoardDefinition {
  const shapeProblems = checkShape(value);
  if (shapeProblems.length > 0) throw new BoardError(source, shapeProblems);

  // Every field has been checked for presence and type above.
  const board = copyBoard(value as BoardDefinition);
  const problems = [...checkWiring(board), ...checkFlashLayout(board), ...checkEngineBudget(board)];
  if (problems.length > 0) throw new BoardError(source, problems);
  return board;
}

/** A fresh object with only BoardDefinition's fields (no "$schema"). */
function copyBoard(board: BoardDefinition): BoardDefinition {
  const copy: BoardDefinition = {
    id: board.id,
    name: board.name,
    chip: board.chip,
    module: board.module,
    sources: [...board.sources],
    flash: { size: board.flash.size, mode: board.flash.mode, frequency: board.flash.frequency },
    images: board.images.map((image) => ({ file: image.file, offset: image.offset, maxSize: image.maxSize })),
    storage: { offset: board.storage.offset, size: board.storage.size },
    psram: board.psram,
    variables: board.variables,
    tlsSessions: board.tlsSessions,
    sdCard: board.sdCard === null ? null : { ...board.sdCard },
    led: board.led === null ? null : { ...board.led },
  };
  if (board.notes !== undefined) copy.notes = [...board.notes];
  return copy;
}
