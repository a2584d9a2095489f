// The engine's timers (src/jswrap_interactive.c, jsiTimerAdd): a timer's id
// is one more than the newest live timer's, starting at 1, so ids come back
// into use once timers end. `clearTimeout()` with no argument clears every
// timer and interval, while `clearTimeout(undefined)` throws. Callbacks run
// on Node timers through the boot's dispatch, and all stop with the boot.

type Callback = (...args: unknown[]) => unknown;

export interface TimerHost {
  /** False once the boot has ended: timers set after that never run. */
  active(): boolean;
  /** Runs an engine callback of this boot. */
  dispatch(fn: () => void): void;
  /** Evaluates code given as a string instead of a function. */
  evaluate(code: string): unknown;
  error(message: string): Error;
}

interface Timer {
  handle: NodeJS.Timeout;
  /** Milliseconds between runs; undefined for a one-shot timeout. */
  interval: number | undefined;
  run: () => void;
}

/** The engine's shortest interval, in milliseconds. */
const MIN_INTERVAL = 0.1;

export class TimerTable {
  private readonly timers = new Map<number, Timer>();

  constructor(private readonly host: TimerHost) {}

  get count(): number {
    return this.timers.size;
  }

  setTimeout(callback: unknown, ms: unknown, args: unknown[]): number {
    return this.add(callback, ms, args, false);
  }

  setInterval(callback: unknown, ms: unknown, args: unknown[]): number {
    return this.add(callback, ms, args, true);
  }

  /** `clearTimeout`/`clearInterval` with the arguments as given. */
  clear(args: unknown[], kind: "Timeout" | "Interval"): void {
    if (args.length === 0) {
      this.clearAll();
      return;
    }
    const id = args[0];
    if (id === undefined) throw this.host.error(`clear${kind}(undefined) not allowed. Use clear${kind}() instead`);
    if (typeof id !== "number") return;
    const timer = this.timers.get(id);
    if (!timer) return;
    clearTimeout(timer.handle);
    this.timers.delete(id);
  }

  /** Sets a new interval counted from now; a timeout given a new interval repeats from then on. */
  changeInterval(id: unknown, ms: unknown): void {
    const timer = typeof id === "number" ? this.timers.get(id) : undefined;
    if (!timer) throw this.host.error("Unknown Interval");
    clearTimeout(timer.handle);
    timer.interval = delayOf(ms);
    timer.handle = setTimeout(timer.run, timer.interval);
  }

  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer.handle);
    this.timers.clear();
  }

  private add(callback: unknown, ms: unknown, args: unknown[], repeat: boolean): number {
    if (typeof callback !== "function" && typeof callback !== "string") {
      throw this.host.error("Function or String not supplied!");
    }
    const id = this.nextId();
    const delay = delayOf(ms);
    const call = (): void => {
      if (typeof callback === "string") this.host.evaluate(callback);
      else (callback as Callback)(...args);
    };
    const timer: Timer = {
      handle: undefined as unknown as NodeJS.Timeout,
      interval: repeat ? delay : undefined,
      run: () => {
        if (this.timers.get(id) !== timer) return;
        if (timer.interval === undefined) this.timers.delete(id);
        else timer.handle = setTimeout(timer.run, timer.interval);
        this.host.dispatch(call);
      },
    };
    if (!this.host.active()) return id;
    timer.handle = setTimeout(timer.run, delay);
    this.timers.set(id, timer);
    return id;
  }

  private nextId(): number {
    let newest = 0;
    for (const id of this.timers.keys()) newest = Math.max(newest, id);
    return newest + 1;
  }
}

function delayOf(ms: unknown): number {
  const value = Number(ms);
  return Number.isNaN(value) || value < MIN_INTERVAL ? MIN_INTERVAL : value;
}
