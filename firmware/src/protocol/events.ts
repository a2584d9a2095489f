// What a device reports on `<prefix>/<dev>/event` and `<prefix>/<dev>/state`.
// Shared by the device app and the host tools that watch devices.

/** Retained on the state topic; the broker publishes OFFLINE as the device's last will. */
export const STATE_ONLINE = "online";
export const STATE_OFFLINE = "offline";

/** One file's upload, as the device saw it. @wire */
export interface UploadEvent {
  type: "upload";
  /** Path on the SD card. */
  file: string;
  /** The relative key the device asked for (the service maps it under the device's prefix). */
  key: string;
  size: number;
  /** "stored": the bucket holds all of it and the file was retired; "failed": it stays on the card for a later round. */
  outcome: "stored" | "failed";
  /** Why it failed: a short code (e.g. "presign-timeout", "http-403", "size-mismatch", "connect"). */
  reason?: string;
}

/** The end of an upload round. @wire */
export interface RoundEvent {
  type: "round";
  stored: number;
  failed: number;
  /** Files still waiting on the card. */
  waiting: number;
}

export type DeviceEvent = UploadEvent | RoundEvent;
