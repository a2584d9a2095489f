// The device console (the serial REPL on a board).

export function say(line: string): void {
  print(line);
}

/** Variables free and in use in the engine's store (the engine adds more fields). */
export function memory(): { free: number; usage: number; total: number } {
  return process.memory();
}
