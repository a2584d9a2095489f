// A board definition that cannot be used, with every problem found in it.

export interface BoardProblem {
  /** Dotted path of the field, e.g. "sdCard.cs" or "images[2].offset"; "" for the file itself. */
  field: string;
  /** What the field must be and what it was, e.g. `must be a GPIO number 0-39, got "5"`. */
  message: string;
}

export class BoardError extends Error {
  override name = "BoardError";

  constructor(
    /** The file (or other origin) the definition came from, e.g. "boards/x.json". */
    readonly source: string,
    readonly problems: readonly BoardProblem[],
  ) {
    super(problems.map((problem) => formatProblem(source, problem)).join("\n"));
  }
}

function formatProblem(source: string, problem: BoardProblem): string {
  return problem.field === "" ? `${source}: ${problem.message}` : `${source}: ${problem.field} ${problem.message}`;
}
