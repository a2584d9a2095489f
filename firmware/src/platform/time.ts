// Time on the engine: getTime() is seconds since boot, with fractions.

/** Resolves after `ms` milliseconds (a timer; the engine has no other way to wait). */
export function sleep(ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });
}

/** Milliseconds since boot. */
export function now(): number {
  return getTime() * 1000;
}

/** Runs `task` once after `ms` milliseconds; the returned function cancels it. */
export function after(ms: number, task: () => void): () => void {
  const timer = setTimeout(task, ms);
  return () => clearTimeout(timer);
}
