// What the engine modules of one boot need from it: its realm, and the ways
// the engine's loop runs callbacks.
import type { DeviceRealm } from "./realm.js";

export interface EngineScope {
  readonly realm: DeviceRealm;
  /** Runs an engine callback now; errors are reported as uncaught. Nothing runs once the boot ended. */
  dispatch(fn: () => void): void;
  /** Runs a callback after the current task, as a queued engine event. */
  enqueue(job: () => void): void;
  /** Runs a callback on the next pass of the engine's idle loop. */
  idle(job: () => void): void;
  print(text: string): void;
  /** A module function whose host errors reach device code as the engine's errors. */
  guard<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
}
