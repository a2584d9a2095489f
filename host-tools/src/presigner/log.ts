// Structured logs: one JSON object per line. Fields are plain values chosen
// by the caller; presigned URLs, POST policies and secrets are bearer tokens
// and never passed here. As a second guard, any text that looks like a
// signed URL or an AWS signature is replaced before it is written.

export type LogLevel = "debug" | "info" | "warn" | "error";
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export type LogFields = Record<string, string | number | boolean | undefined>;

/** Where lines go: process.stdout, or a test's collector. */
export interface LogSink {
  write(line: string): unknown;
}

const SIGNED_TEXT = /(https?:\/\/\S*[?&]X-Amz-\S*|X-Amz-(Signature|Credential|Security-Token)\S*|\b[0-9a-f]{64}\b)/gi;

export class Logger {
  constructor(
    private readonly sink: LogSink = process.stdout,
    private readonly level: LogLevel = "info",
    private readonly base: LogFields = {},
  ) {}

  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger {
    return new Logger(this.sink, this.level, { ...this.base, ...fields });
  }

  debug(msg: string, fields?: LogFields): void {
    this.write("debug", msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.write("info", msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.write("warn", msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.write("error", msg, fields);
  }

  private write(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(this.level)) return;
    const line: Record<string, string | number | boolean> = { time: new Date().toISOString(), level, msg: redact(msg) };
    for (const [name, value] of Object.entries({ ...this.base, ...fields })) {
      if (value !== undefined) line[name] = typeof value === "string" ? redact(value) : value;
    }
    this.sink.write(`${JSON.stringify(line)}\n`);
  }
}

/** The text of an error for a log line, with anything signed taken out. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return redact(`${err.name}: ${err.message}`);
  return redact(String(err));
}

function redact(text: string): string {
  return text.replace(SIGNED_TEXT, "[redacted]");
}
