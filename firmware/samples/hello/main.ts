// A small app that exercises what the build must carry onto the engine:
// async/await, classes with inheritance, for-of, spread, destructuring, a
// const enum, and an inner function declared after its use. It counts its
// boots in Storage and reports on the console.
import { say } from "../../src/platform/console.js";
import { storedRecord } from "../../src/platform/storage.js";
import { sleep } from "../../src/platform/time.js";

const enum Phase {
  Starting = 1,
  Running = 2,
  Done = 3,
}

const COUNTDOWN_FROM = 3;
// Computed by a function declared at the end of this file.
const COUNTDOWN_TEXT = plural(COUNTDOWN_FROM, "step");

interface BootRecord {
  boots: number;
  lastPhase: Phase;
}

class Counter {
  protected count = 0;

  increment(by = 1): number {
    this.count += by;
    return this.count;
  }
}

class BootCounter extends Counter {
  private readonly record = storedRecord<BootRecord>("hello.json");

  constructor() {
    super();
    const saved = this.record.read();
    this.count = saved ? saved.boots : 0;
  }

  override increment(by = 1): number {
    const boots = super.increment(by);
    this.record.write({ boots, lastPhase: Phase.Starting });
    return boots;
  }

  finish(): void {
    const { boots } = this.record.read() ?? { boots: this.count };
    this.record.write({ boots, lastPhase: Phase.Done });
  }
}

function describe(words: string[], ...extra: string[]): string {
  const all = [...words, ...extra];
  return join(all);

  function join(list: string[]): string {
    let text = "";
    for (const word of list) text += (text ? " " : "") + word;
    return text;
  }
}

async function countdown(from: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = from; i > 0; i--) {
    await sleep(10);
    seen.push(i);
  }
  return seen;
}

async function main(): Promise<void> {
  const counter = new BootCounter();
  const boots = counter.increment();
  say(describe(["hello:", "boot"], String(boots)));
  say(`hello: ${plural(boots, "boot")} and ${COUNTDOWN_TEXT} to go`);
  const [first, ...rest] = await countdown(COUNTDOWN_FROM);
  say(`hello: countdown ${first} then ${rest.join(",")}`);
  try {
    await Promise.reject(new Error("expected"));
  } catch (err) {
    say(`hello: caught ${(err as Error).message}`);
  }
  const phases = [Phase.Starting, Phase.Running, Phase.Done];
  say(`hello: phases ${phases.join(">")}`);
  counter.finish();
  say("hello: done");
}

main().catch((err: Error) => say(`hello: failed ${err.message}`));

// Declared after the code above calls it, as JavaScript allows: the engine
// does not hoist, so the build must (terser hoist_funs).
function plural(count: number, noun: string): string {
  return count === 1 ? `${count} ${noun}` : `${count} ${noun}s`;
}
