// The device console (the serial REPL on a board).

/** A line on the console: the engine's own print, which needs no `this`. */
export const say: (line: string) => void = print;

/** Variables free and in use in the engine's store (the engine adds more fields). */
export function memory(): { free: number; usage: number; total: number } {
  return process.memory();
}
