// What every subcommand of `ferry` provides.
export interface Command {
  /** One line for `ferry help`. */
  summary: string;
  /** The full text for `ferry <command> --help`. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** A usage error: the message says what was wrong and what to type instead. */
export class UsageError extends Error {
  override name = "UsageError";
}
