// Sample log files for an emulated device's SD card: what a field device
// would have left in /logs while it was offline. Lines have the device
// logger's shape (docs/device-logger.md) and files its names
// (firmware/src/logger/file-names.ts), so the device app takes them for its
// own closed files. Contents are generated from the device id, so every run
// gives each device the same card.
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { logFileName } from "../../../firmware/src/logger/file-names.js";

/** The folder the device logger writes to (its default `dir`). */
export const LOG_DIR = "/logs";

/** One file put on the card, remembered so the bucket's copy can be compared with it. */
export interface SampleFile {
  /** Path on the card, e.g. "/logs/00000001.log". */
  path: string;
  size: number;
  /** SHA-256 of the contents, hex. */
  sha256: string;
}

const KIB = 1024;
/** The smallest and largest sample file: from a quiet hour to a file of a device that rotated rarely. */
const MIN_FILE_BYTES = 6 * KIB;
const MAX_FILE_BYTES = 240 * KIB;
const MIN_FILES = 3;
const MAX_FILES = 6;
/** Keeps one device's backlog near the ~1 MB a card collects in a few offline days. */
const MAX_CARD_BYTES = 1000 * KIB;
/** Sample logs start here; each device's clock then runs on from file to file. */
const FIRST_LINE_MS = Date.UTC(2026, 2, 2, 6, 0, 0);

/** Writes the device's sample logs under `cardDir` (the card's root) and describes them. */
export async function writeSampleLogs(cardDir: string, deviceId: string): Promise<SampleFile[]> {
  const random = seededRandom(deviceId);
  const dir = join(cardDir, LOG_DIR);
  await mkdir(dir, { recursive: true });
  const count = MIN_FILES + Math.floor(random() * (MAX_FILES - MIN_FILES + 1));
  const samples: SampleFile[] = [];
  const text = new LogText(deviceId, random);
  let cardBytes = 0;
  for (let sequence = 1; sequence <= count && cardBytes < MAX_CARD_BYTES - MIN_FILE_BYTES; sequence++) {
    // Squaring skews sizes towards small files, as quiet periods are the common case.
    const wanted = MIN_FILE_BYTES + Math.floor(random() ** 2 * (MAX_FILE_BYTES - MIN_FILE_BYTES));
    const contents = text.file(Math.min(wanted, MAX_CARD_BYTES - cardBytes));
    const name = logFileName(sequence);
    await writeFile(join(dir, name), contents, "latin1");
    cardBytes += contents.length;
    samples.push({ path: `${LOG_DIR}/${name}`, size: contents.length, sha256: sha256(contents) });
  }
  return samples;
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(typeof data === "string" ? Buffer.from(data, "latin1") : data).digest("hex");
}

/** What a sensor node logs: readings mostly, with the odd network trouble. */
class LogText {
  private clock = FIRST_LINE_MS;
  private boot = 1;
  private bootedAt = FIRST_LINE_MS;

  constructor(
    private readonly deviceId: string,
    private readonly random: () => number,
  ) {}

  /** Lines up to `maxBytes`, ending at a line break, as the logger closes files before a line would overflow. */
  file(maxBytes: number): string {
    let contents = "";
    for (;;) {
      const line = this.line();
      if (contents.length + line.length > maxBytes) return contents;
      contents += line;
    }
  }

  private line(): string {
    this.clock += 2000 + Math.floor(this.random() * 28000);
    const roll = this.random();
    const [level, text] =
      roll < 0.004 ? this.reboot() : roll < 0.03 ? this.trouble() : roll < 0.08 ? this.network() : ["INFO", this.reading()];
    return `${new Date(this.clock).toISOString()} ${level} ${text}\n`;
  }

  private reading(): string {
    const t = (18 + this.random() * 9).toFixed(2);
    const rh = (40 + this.random() * 25).toFixed(1);
    const soil = (0.2 + this.random() * 0.2).toFixed(3);
    const battery = (3.6 + this.random() * 0.55).toFixed(3);
    return `sensor {"t":${t},"rh":${rh},"soil":${soil},"batt":${battery}}`;
  }

  private network(): [string, string] {
    const rssi = -50 - Math.floor(this.random() * 40);
    if (this.random() < 0.5) return ["INFO", `wifi {"ssid":"orchard-gw","rssi":${rssi},"ch":6}`];
    return ["INFO", `mqtt ping ${20 + Math.floor(this.random() * 300)} ms, ${1200 + Math.floor(this.random() * 900)} variables free`];
  }

  private trouble(): [string, string] {
    const kinds: [string, string][] = [
      ["WARN", "wifi lost: reason 201 (no AP found), retrying in 8 s"],
      ["WARN", "sensor read retry 1: i2c timeout on 0x44"],
      ["WARN", `mqtt reconnect after ${1 + Math.floor(this.random() * 30)} s offline`],
      ["ERROR", "upload skipped: no network"],
    ];
    return kinds[Math.floor(this.random() * kinds.length)]!;
  }

  private reboot(): [string, string] {
    this.boot++;
    const up = Math.round((this.clock - this.bootedAt) / 1000);
    this.bootedAt = this.clock;
    return ["WARN", `${this.deviceId} boot ${this.boot} after ${up} s up {"reset":"brownout"}`];
  }
}

/** mulberry32, seeded from the device id: the same id always gives the same card. */
function seededRandom(seedText: string): () => number {
  let seed = createHash("sha256").update(seedText).digest().readUInt32LE(0);
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
