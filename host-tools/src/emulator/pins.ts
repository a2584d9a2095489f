// The chip's GPIO pins as the engine drives them: `digitalWrite`,
// `digitalRead` and `pinMode` on the numbers `D0`..`D39`. Levels are kept
// so tests can see what the app did, the board's LED included. Each boot
// starts with every pin released, as the engine resets them.
import type { LedPin } from "../boards/types.js";

export const PIN_COUNT = 40;

export class PinBank {
  private readonly levels = new Map<number, boolean>();
  private readonly modes = new Map<number, string>();

  constructor(private readonly led: LedPin | null) {}

  reset(): void {
    this.levels.clear();
    this.modes.clear();
  }

  write(pin: number, high: boolean): void {
    this.levels.set(pin, high);
    if (!this.modes.has(pin)) this.modes.set(pin, "output");
  }

  /** The level last driven on a pin; undefined if the app never drove it. */
  level(pin: number): boolean | undefined {
    return this.levels.get(pin);
  }

  setMode(pin: number, mode: string): void {
    this.modes.set(pin, mode);
  }

  mode(pin: number): string | undefined {
    return this.modes.get(pin);
  }

  /** Whether the board's LED is lit; undefined on a board without one or before the app drives it. */
  get ledLit(): boolean | undefined {
    if (!this.led) return undefined;
    const level = this.levels.get(this.led.pin);
    return level === undefined ? undefined : level === this.led.activeHigh;
  }
}

export function isPin(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value < PIN_COUNT;
}
