/**
 * Lanes shared by concurrent trials: a trial takes a free lane and gives it
 * back. A lane whose trial failed is replaced by a fresh one, so one broken
 * device cannot fail the trials after it.
 */
import { Lane, type LaneOptions } from "./lane.js";

export class LanePool {
  private readonly free: Lane[] = [];
  private readonly waiting: ((lane: Lane) => void)[] = [];
  private readonly all = new Set<Lane>();
  private made = 0;

  private constructor(private readonly settings: (index: number) => LaneOptions) {}

  static async start(count: number, settings: (index: number) => LaneOptions): Promise<LanePool> {
    const pool = new LanePool(settings);
    const lanes = await Promise.all(Array.from({ length: count }, () => pool.make()));
    pool.free.push(...lanes);
    return pool;
  }

  acquire(): Promise<Lane> {
    const lane = this.free.shift();
    if (lane) return Promise.resolve(lane);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Gives a lane back; an unhealthy one is closed and a new lane takes its place. */
  async release(lane: Lane, healthy: boolean): Promise<void> {
    let next = lane;
    if (!healthy) {
      this.all.delete(lane);
      await lane.close().catch(() => {});
      // The trials waiting for a lane fail on the closed one, after this says why.
      next = await this.make().catch((error: Error) => {
        process.stderr.write(`fault trials: could not start a lane to replace ${lane.options.name}: ${error.message}\n`);
        return lane;
      });
    }
    const waiter = this.waiting.shift();
    if (waiter) waiter(next);
    else this.free.push(next);
  }

  async close(): Promise<void> {
    await Promise.all([...this.all].map((lane) => lane.close()));
  }

  private async make(): Promise<Lane> {
    const lane = await Lane.start(this.settings(this.made++));
    this.all.add(lane);
    return lane;
  }
}
