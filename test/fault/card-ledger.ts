/**
 * Watches the device retire files, at the moment it does so: each delete the
 * app makes on its SD card is checked, before it happens, against what the
 * store has taken whole (StoreProxy.stored). A file may leave the card only
 * once the bucket holds every byte of it, and only once.
 *
 * The check runs inside the emulated engine's own delete, synchronously, so
 * there is no window between the device's decision and the check. It hooks
 * the card's path resolution, which every card operation goes through with
 * the engine's name for the operation.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import type { Device } from "../../host-tools/src/emulator/index.js";
import type { StoreProxy } from "./store-proxy.js";

/** The engine's text for a failed delete, which is also the operation name the card sees. */
const DELETE_OPERATION = "Unable to delete file";
const LOG_DIR = "/logs/";

export interface Removal {
  readonly cardPath: string;
  readonly bytes: Buffer;
  readonly at: number;
}

export class CardLedger {
  /** Per card path, every delete the device made of an existing file. */
  readonly removals = new Map<string, Removal[]>();
  /** Broken rules, in the words a failing test prints. */
  readonly violations: string[] = [];
  private readonly listeners = new Set<(removal: Removal) => void>();
  private reported = 0;

  /** @param objectPath the store path (`/<bucket>/<key>`) an upload of `cardPath` goes to. */
  constructor(
    device: Device,
    private readonly store: StoreProxy,
    private readonly objectPath: (cardPath: string) => string,
  ) {
    const card = device.sdCard;
    const resolve = card.resolve.bind(card);
    card.resolve = (cardPath: string, operation: string): string => {
      const host = resolve(cardPath, operation);
      const path = normalize(cardPath);
      // Log files are what the device uploads; with `retire: "move"` it also clears old copies in /sent.
      if (operation === DELETE_OPERATION && path.startsWith(LOG_DIR)) this.deleting(path, host);
      return host;
    };
  }

  /** Calls `listener` after each delete of an existing file is checked. */
  onRemoval(listener: (removal: Removal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The violations not returned by an earlier call. */
  unreported(): string[] {
    const fresh = this.violations.slice(this.reported);
    this.reported = this.violations.length;
    return fresh;
  }

  count(cardPath: string): number {
    return this.removals.get(cardPath)?.length ?? 0;
  }

  private deleting(cardPath: string, host: string): void {
    if (!existsSync(host)) {
      this.violations.push(`the device deleted ${cardPath}, which was no longer on the card (a second retirement, or a file it never uploaded)`);
      return;
    }
    if (statSync(host).isDirectory()) return;
    const bytes = readFileSync(host);
    const stored = this.store.stored.get(this.objectPath(cardPath));
    if (stored === undefined) {
      this.violations.push(`the device deleted ${cardPath} (${bytes.length} bytes) before the store had taken a whole upload of it`);
    } else if (!stored.body.equals(bytes)) {
      this.violations.push(`the device deleted ${cardPath} (${bytes.length} bytes), but the store holds ${stored.body.length} different bytes for it`);
    }
    const removal = { cardPath, bytes, at: Date.now() };
    const list = this.removals.get(cardPath) ?? [];
    list.push(removal);
    this.removals.set(cardPath, list);
    if (list.length > 1) this.violations.push(`the device deleted ${cardPath} ${list.length} times`);
    for (const listener of this.listeners) listener(removal);
  }
}

/** `logs/a.log`, `/logs/a.log` and `/logs//a.log` are one file on the card. */
function normalize(cardPath: string): string {
  return `/${cardPath.split(/[/\\]/).filter((part) => part !== "" && part !== ".").join("/")}`;
}
