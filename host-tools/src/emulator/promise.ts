// The engine's Promise (src/jswrap_promise.c), so promise work belongs to
// the boot that made it: settling and reactions are queued jobs that run
// after the current task (espruino-profile.md: "Promise callbacks run after
// the current task, before timers") and are dropped when the boot ends. A
// rejection that settles with no reaction attached throws the engine's
// "Unhandled promise rejection" error, reported as uncaught; nothing reaches
// Node's own unhandled-rejection handling.
import { engineTypeName } from "./net/engine-errors.js";

export interface PromiseScheduler {
  /** Runs a job after the current task, as an engine callback of this boot. */
  enqueue(job: () => void): void;
  /** A rejection settled with nothing attached to handle it. */
  unhandled(reason: unknown): void;
  /** An error in the device's realm with the engine's text. */
  error(message: string, kind?: "Error" | "TypeError"): Error;
  /** An array in the device's realm. */
  array(items: unknown[]): unknown[];
}

type Settle = (value: unknown) => void;
type Handler = ((value: unknown) => unknown) | undefined;

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

interface Reaction {
  onFulfilled: Handler;
  onRejected: Handler;
  resolve: Settle;
  reject: Settle;
}

export interface EnginePromiseClass {
  new (executor: (resolve: Settle, reject: Settle) => void): EnginePromiseLike;
  resolve(value?: unknown): EnginePromiseLike;
  reject(reason?: unknown): EnginePromiseLike;
  all(values: unknown): EnginePromiseLike;
}

export interface EnginePromiseLike {
  then(onFulfilled?: unknown, onRejected?: unknown): EnginePromiseLike;
  catch(onRejected?: unknown): EnginePromiseLike;
}

/** The executor of a promise that `then` settles itself. */
function ignore(): void {}

function asHandler(value: unknown): Handler {
  return typeof value === "function" ? (value as (value: unknown) => unknown) : undefined;
}

function thenOf(value: unknown): Function | undefined {
  if ((typeof value !== "object" || value === null) && typeof value !== "function") return undefined;
  const then = (value as { then?: unknown }).then;
  return typeof then === "function" ? then : undefined;
}

/** A Promise class whose jobs run through one boot's scheduler. */
export function createEnginePromise(scheduler: PromiseScheduler): EnginePromiseClass {
  class EnginePromise implements EnginePromiseLike {
    #state = PENDING;
    #value: unknown;
    #reactions: Reaction[] = [];

    constructor(executor: (resolve: Settle, reject: Settle) => void) {
      if (typeof executor !== "function") throw scheduler.error("Function required in promise constructor");
      const [resolve, reject] = this.#settlers(true);
      try {
        executor(resolve, reject);
      } catch (thrown) {
        reject(thrown);
      }
    }

    static resolve(value?: unknown): EnginePromise {
      if (value instanceof EnginePromise) return value;
      return new EnginePromise((resolve) => resolve(value));
    }

    static reject(reason?: unknown): EnginePromise {
      return new EnginePromise((_resolve, reject) => reject(reason));
    }

    static all(values: unknown): EnginePromise {
      if (values === null || typeof values !== "object" || typeof (values as { length?: unknown }).length !== "number") {
        throw scheduler.error(`Expecting something iterable, got ${engineTypeName(values)}`, "TypeError");
      }
      const items = Array.prototype.slice.call(values) as unknown[];
      return new EnginePromise((resolve, reject) => {
        const results = scheduler.array(items);
        let remaining = items.filter((item) => item instanceof EnginePromise).length;
        if (remaining === 0) return resolve(results);
        items.forEach((item, index) => {
          if (!(item instanceof EnginePromise)) return;
          item.then((value: unknown) => {
            results[index] = value;
            if (--remaining === 0) resolve(results);
          }, reject);
        });
      });
    }

    then(onFulfilled?: unknown, onRejected?: unknown): EnginePromise {
      const next = new EnginePromise(ignore);
      const [resolve, reject] = next.#settlers(false);
      const reaction: Reaction = { onFulfilled: asHandler(onFulfilled), onRejected: asHandler(onRejected), resolve, reject };
      if (this.#state === PENDING) this.#reactions.push(reaction);
      else this.#schedule(reaction);
      return next;
    }

    catch(onRejected?: unknown): EnginePromise {
      return this.then(undefined, onRejected);
    }

    /** Resolve and reject functions that work once; the executor's ones are queued like the engine's. */
    #settlers(queued: boolean): [Settle, Settle] {
      let done = false;
      const once = (settle: Settle): Settle => (value) => {
        if (done) return;
        done = true;
        if (queued) scheduler.enqueue(() => settle(value));
        else settle(value);
      };
      return [once((value) => this.#adopt(value)), once((reason) => this.#seal(REJECTED, reason))];
    }

    #adopt(value: unknown): void {
      if (value === this) {
        this.#seal(REJECTED, scheduler.error("Illegal resolving to self"));
        return;
      }
      const then = thenOf(value);
      if (!then) {
        this.#seal(FULFILLED, value);
        return;
      }
      const [resolve, reject] = this.#settlers(false);
      try {
        then.call(value, resolve, reject);
      } catch (thrown) {
        reject(thrown);
      }
    }

    #seal(state: number, value: unknown): void {
      this.#state = state;
      this.#value = value;
      const reactions = this.#reactions;
      this.#reactions = [];
      if (state === REJECTED && reactions.length === 0) {
        scheduler.unhandled(value);
        return;
      }
      for (const reaction of reactions) this.#schedule(reaction);
    }

    #schedule(reaction: Reaction): void {
      const fulfilled = this.#state === FULFILLED;
      const value = this.#value;
      scheduler.enqueue(() => {
        const handler = fulfilled ? reaction.onFulfilled : reaction.onRejected;
        if (!handler) {
          (fulfilled ? reaction.resolve : reaction.reject)(value);
          return;
        }
        let result: unknown;
        try {
          result = handler(value);
        } catch (thrown) {
          reaction.reject(thrown);
          return;
        }
        reaction.resolve(result);
      });
    }
  }
  return EnginePromise;
}
