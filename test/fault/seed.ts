/**
 * The fault suite's randomness: one printed seed, from which every trial
 * derives its own generator, so a failing trial replays on its own with
 * FERRY_FAULT_SEED=<seed> FERRY_FAULT_TRIAL=<n>. Replays repeat the plan
 * (which fault, where, which files); the timing of a live device, broker
 * and store is not part of it.
 */
import { randomInt } from "node:crypto";

export interface FaultRun {
  readonly seed: number;
  /** Trial numbers to run, from 1. */
  readonly trials: readonly number[];
}

const DEFAULT_TRIALS = 200;

/** The seed and trials chosen by FERRY_FAULT_SEED, FERRY_FAULT_TRIALS and FERRY_FAULT_TRIAL. */
export function faultRun(env: NodeJS.ProcessEnv = process.env): FaultRun {
  const seed = env["FERRY_FAULT_SEED"] === undefined ? randomInt(1, 2 ** 31) : whole("FERRY_FAULT_SEED", env["FERRY_FAULT_SEED"], 0, 2 ** 32 - 1);
  const only = env["FERRY_FAULT_TRIAL"];
  if (only !== undefined) {
    const trials = only.split(",").map((text) => whole("FERRY_FAULT_TRIAL", text.trim(), 1, 1_000_000));
    return { seed, trials };
  }
  const count = env["FERRY_FAULT_TRIALS"] === undefined ? DEFAULT_TRIALS : whole("FERRY_FAULT_TRIALS", env["FERRY_FAULT_TRIALS"], 1, 100_000);
  return { seed, trials: Array.from({ length: count }, (_, i) => i + 1) };
}

function whole(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** A small, fast generator (mulberry32): plenty for choosing faults, and the same on every machine. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The generator of one trial: independent of how many numbers other trials drew. */
  static forTrial(seed: number, trial: number): Random {
    const mixed = new Random((seed ^ Math.imul(trial, 0x9e3779b1)) >>> 0);
    // A few draws spread nearby seeds apart.
    for (let i = 0; i < 4; i++) mixed.next();
    return mixed;
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick() needs at least one item");
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** `count` random bytes. */
  bytes(count: number): Buffer {
    const out = Buffer.alloc(count);
    for (let i = 0; i < count; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}
