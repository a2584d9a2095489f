// The chip's Wi-Fi station and the access points around it. The station
// outlives `load()` and `reset()` (the engine restarts its JavaScript, not
// the radio) and goes down with a reboot or a power cut. Tests steer the
// surroundings: which access points are in range, and when the link drops.
import { EventEmitter } from "node:events";

export interface AccessPoint {
  ssid: string;
  password?: string;
}

/** ESP-IDF disconnect reasons (wifiReasonToString in libs/network/esp32/jswrap_esp32_network.c). */
export const DISCONNECT_REASONS = {
  ASSOC_LEAVE: 8,
  "4WAY_HANDSHAKE_TIMEOUT": 15,
  BEACON_TIMEOUT: 200,
  NO_AP_FOUND: 201,
} as const;

export type DisconnectReason = keyof typeof DISCONNECT_REASONS;

export interface StationLink {
  ssid: string;
  password: string;
  bssid: string;
  channel: number;
  ip: string;
  netmask: string;
  gw: string;
}

/** How long joining an access point takes here; the real one takes seconds. */
const JOIN_DELAY_MS = 5;

/**
 * Events: "associated"(link), "connected"(link) once it has an address,
 * "disconnected"(ssid, reason).
 */
export class WifiRadio extends EventEmitter {
  private readonly accessPoints = new Map<string, AccessPoint>();
  private readonly outOfRange = new Set<string>();
  private link: StationLink | undefined;
  private pending: NodeJS.Timeout | undefined;
  /** Why the station last went down; "Unknown reason" until it first has (reason 0). */
  lastReason: DisconnectReason | undefined;
  mode: "NULL" | "STA" = "NULL";

  constructor(accessPoints: readonly AccessPoint[] = []) {
    super();
    for (const ap of accessPoints) this.accessPoints.set(ap.ssid, ap);
  }

  get connection(): StationLink | undefined {
    return this.link;
  }

  get connected(): boolean {
    return this.link !== undefined;
  }

  /**
   * Puts an access point in or out of range; leaving range drops a station
   * joined to it. A password given here adds the access point or changes it.
   */
  setInRange(ssid: string, inRange: boolean, password?: string): void {
    if (password !== undefined || !this.accessPoints.has(ssid)) this.accessPoints.set(ssid, { ssid, password });
    if (inRange) {
      this.outOfRange.delete(ssid);
      return;
    }
    this.outOfRange.add(ssid);
    if (this.link?.ssid === ssid) this.drop("BEACON_TIMEOUT");
  }

  /** The access point vanishes for the station: it disconnects as on a lost beacon. */
  dropConnection(): void {
    if (this.link) this.drop("BEACON_TIMEOUT");
  }

  /** Starts joining; the outcome arrives as events a moment later. */
  join(ssid: string, password: string): void {
    this.mode = "STA";
    if (this.pending) clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = undefined;
      const ap = this.outOfRange.has(ssid) ? undefined : this.accessPoints.get(ssid);
      if (this.link) this.drop("ASSOC_LEAVE");
      if (!ap) return this.fail(ssid, "NO_AP_FOUND");
      if ((ap.password ?? "") !== password) return this.fail(ssid, "4WAY_HANDSHAKE_TIMEOUT");
      this.link = {
        ssid,
        password,
        bssid: bssidOf(ssid),
        channel: 6,
        ip: "192.168.1.100",
        netmask: "255.255.255.0",
        gw: "192.168.1.1",
      };
      this.emit("associated", this.link);
      this.emit("connected", this.link);
    }, JOIN_DELAY_MS);
  }

  leave(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    if (this.link) this.drop("ASSOC_LEAVE");
  }

  /** The chip restarts: the radio is off and forgets everything. */
  powerDown(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.link = undefined;
    this.lastReason = undefined;
    this.mode = "NULL";
  }

  private drop(reason: DisconnectReason): void {
    const ssid = this.link?.ssid ?? "";
    this.link = undefined;
    this.fail(ssid, reason);
  }

  private fail(ssid: string, reason: DisconnectReason): void {
    this.lastReason = reason;
    this.emit("disconnected", ssid, reason);
  }
}

function bssidOf(ssid: string): string {
  let hash = 0;
  for (const ch of ssid) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const bytes = [0x24, 0x0a, (hash >>> 24) & 0xff, (hash >>> 16) & 0xff, (hash >>> 8) & 0xff, hash & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}
