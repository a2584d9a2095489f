// Request ids each device used recently. An id is single-use: a repeat within
// the window (at least the longest URL expiry) is refused, so a replayed or
// redelivered request never yields a second URL. The per-device limit bounds
// memory and doubles as a rate limit.

export type IdCheck = "new" | "duplicate" | "full";

export class RecentIds {
  /** device -> (id -> when it may be forgotten, ms); insertion order is time order. */
  private readonly devices = new Map<string, Map<string, number>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly windowMs: number,
    private readonly perDevice: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), windowMs);
    this.sweeper.unref();
  }

  /** Records `id` for `device` unless it is a repeat or the device is at its limit. */
  check(device: string, id: string): IdCheck {
    const now = this.now();
    let ids = this.devices.get(device);
    if (ids) forgetExpired(ids, now);
    else {
      ids = new Map();
      this.devices.set(device, ids);
    }
    if (ids.has(id)) return "duplicate";
    if (ids.size >= this.perDevice) return "full";
    ids.set(id, now + this.windowMs);
    return "new";
  }

  /** Seconds until the device's oldest remembered id is forgotten. */
  secondsUntilRoom(device: string): number {
    const oldest = this.devices.get(device)?.values().next();
    if (!oldest || oldest.done) return 0;
    return Math.max(1, Math.ceil((oldest.value - this.now()) / 1000));
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = this.now();
    for (const [device, ids] of this.devices) {
      forgetExpired(ids, now);
      if (ids.size === 0) this.devices.delete(device);
    }
  }
}

function forgetExpired(ids: Map<string, number>, now: number): void {
  for (const [id, until] of ids) {
    if (until > now) return;
    ids.delete(id);
  }
}
