// Log file names: an 8-digit sequence number and ".log" ("00000042.log").
// The engine cannot rename files (docs/engine.md, "Files and flash"), so a
// file keeps the name it was created with and a new number starts each new
// file; zero padding makes names sort in the order they were written, and
// the 8.3 shape fits FAT even without long names.

export function logFileName(sequence: number): string {
  return String(sequence).padStart(8, "0") + ".log";
}

/** The sequence number in a log file's name; -1 for any other name. */
export function sequenceOf(name: string): number {
  const sequence = parseInt(name, 10);
  // Only a name this module would have made gives itself back.
  return sequence >= 0 && logFileName(sequence) === name ? sequence : -1;
}
