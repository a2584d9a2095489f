// The engine's `pipe` (src/jswrap_pipe.c): on each idle pass one chunk is
// read from the source and written to the destination; a write that returns
// false stalls the pipe until the destination emits `drain`. When the source
// returns undefined the pipe closes: `complete` is queued and, unless
// `end: false`, the destination's `drain` and `close` listeners are all
// removed (the engine drops every one, not only its own) before `end()` and
// `close()` are called on it and `close()` on the source.
import type { EngineScope } from "./engine-scope.js";

/** The engine's default chunk size (the code's value; its docs say 32). */
const DEFAULT_CHUNK_SIZE = 64;

type Stream = Record<string, unknown>;

function method(target: Stream, name: string): ((...args: unknown[]) => unknown) | undefined {
  const value = target[name];
  return typeof value === "function" ? (value as (...args: unknown[]) => unknown) : undefined;
}

/** A string source reads as a stream of its chars, as jswrap_pipe wraps one. */
function streamOf(source: unknown): Stream {
  if (typeof source !== "string") return source as Stream;
  let at = 0;
  return {
    read: (length: unknown) => {
      const chunk = source.substring(at, (at += Number(length)));
      return chunk === "" ? undefined : chunk;
    },
  };
}

export function startPipe(from: unknown, destination: unknown, options: unknown, scope: EngineScope): void {
  const { realm } = scope;
  const source = streamOf(from);
  if (typeof source !== "object" || source === null || !method(source, "read")) {
    throw realm.error("Source object does not implement the required read(buffer, length) method");
  }
  if (typeof destination !== "object" || destination === null || !method(destination as Stream, "write")) {
    throw realm.error("Destination object does not implement the required write(buffer, length) method");
  }
  const dest = destination as Stream;
  let chunkSize = DEFAULT_CHUNK_SIZE;
  let callEnd = true;
  let complete: unknown;
  if (typeof options === "object" && options !== null) {
    const given = options as Stream;
    complete = given.complete;
    if (given.end !== undefined) callEnd = Boolean(given.end);
    if (given.chunkSize !== undefined) {
      if (typeof given.chunkSize !== "number" || given.chunkSize <= 0) throw realm.error("chunkSize must be an integer > 0", "TypeError");
      chunkSize = Math.floor(given.chunkSize);
    }
  } else if (options !== undefined) {
    throw realm.error("'options' must be an object, or undefined", "TypeError");
  }

  let waitingForDrain = false;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    if (typeof complete === "function") scope.enqueue(() => (complete as () => void)());
    if (!callEnd) return;
    method(dest, "removeAllListeners")?.call(dest, "drain");
    method(dest, "removeAllListeners")?.call(dest, "close");
    method(dest, "end")?.call(dest);
    method(dest, "close")?.call(dest);
    method(source, "close")?.call(source);
  };
  const pass = (): void => {
    if (closed || waitingForDrain) return;
    const chunk = method(source, "read")?.call(source, chunkSize);
    if (chunk === undefined) {
      close();
      return;
    }
    if (typeof chunk === "string" && chunk.length > 0) {
      if (method(dest, "write")!.call(dest, chunk) === false) waitingForDrain = true;
    }
    if (!waitingForDrain) scope.idle(pass);
  };
  const on = method(dest, "on");
  on?.call(dest, "drain", () => {
    if (!waitingForDrain) return;
    waitingForDrain = false;
    scope.idle(pass);
  });
  on?.call(dest, "close", () => close());
  scope.idle(pass);
}
