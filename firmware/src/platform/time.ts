// Time on the engine: getTime() is seconds, with fractions, since boot until
// something sets the clock, then since 1970.

/** Resolves after `ms` milliseconds (a timer; the engine has no other way to wait). */
export function sleep(ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });
}

/** Milliseconds on the engine's clock (see above): getTime() * 1000, which is what the engine's Date.now gives, unbound too. */
export const now: () => number = Date.now;

/** Runs `task` once after `ms` milliseconds; the returned function cancels it. */
export function after(ms: number, task: () => void): () => void {
  let timer: number | undefined = setTimeout(() => {
    timer = undefined;
    task();
  }, ms);
  // The engine gives a fired timer's id to the next new timer: cancelling
  // after the task ran would clear someone else's timer. Ids start at 1.
  return () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}
