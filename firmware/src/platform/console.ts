// The device console (the serial REPL on a board).

export function say(line: string): void {
  print(line);
}

/** Variables free and in use in the engine's store. */
export function memory(): { free: number; usage: number; total: number } {
  const { free, usage, total } = process.memory();
  return { free, usage, total };
}
