// When a long-running command should stop: Ctrl-C, SIGTERM, or the end of
// its --seconds. `cancel()` removes the handlers and the timer, so nothing
// keeps the process alive once the command is done.

export type StopReason = "signal" | "deadline";

export interface StopRequest {
  readonly requested: Promise<StopReason>;
  cancel(): void;
}

export function stopRequest(seconds: number | undefined): StopRequest {
  let settle: (reason: StopReason) => void = () => {};
  const requested = new Promise<StopReason>((resolve) => (settle = resolve));
  const onSignal = () => finish("signal");
  const timer = seconds === undefined ? undefined : setTimeout(() => finish("deadline"), seconds * 1000);
  const cancel = () => {
    clearTimeout(timer);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  const finish = (reason: StopReason) => {
    cancel();
    settle(reason);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return { requested, cancel };
}

/** A positive number of seconds from an option, or undefined when absent. */
export function secondsOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new Error(`${name} takes a positive number of seconds, got "${value}"`);
  return seconds;
}
