// Counters and a latency histogram, rendered in the Prometheus text format
// (version 0.0.4) for GET /metrics.

type Labels = Record<string, string>;

/** Seconds; a presign is local computation, so the interesting range is small. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

class Counter {
  private readonly series = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = labelText(labels);
    const entry = this.series.get(key);
    if (entry) entry.value += by;
    else this.series.set(key, { labels: { ...labels }, value: by });
  }

  get(labels: Labels): number {
    return this.series.get(labelText(labels))?.value ?? 0;
  }

  /** The sum over every label set that includes `labels`. */
  total(labels: Labels = {}): number {
    let sum = 0;
    for (const entry of this.series.values()) {
      if (Object.entries(labels).every(([name, value]) => entry.labels[name] === value)) sum += entry.value;
    }
    return sum;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, entry] of this.series) lines.push(`${this.name}${key} ${entry.value}`);
    return lines;
  }
}

class Histogram {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  observe(labels: Labels, seconds: number): void {
    const key = JSON.stringify(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    LATENCY_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) entry.buckets[i]++;
    });
    entry.sum += seconds;
    entry.count++;
  }

  count(labels: Labels): number {
    return this.series.get(JSON.stringify(labels))?.count ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, entry] of this.series) {
      const labels = JSON.parse(key) as Labels;
      LATENCY_BUCKETS.forEach((bound, i) => {
        lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(bound) })} ${entry.buckets[i]}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: "+Inf" })} ${entry.count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${entry.sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${entry.count}`);
    }
    return lines;
  }
}

export type Transport = "mqtt" | "http";

/** What the presigner counts; docs/presigner.md lists each metric. */
export class PresignMetrics {
  /** Every request that reached the service, by transport and op ("none" when unreadable). */
  readonly requests = new Counter("ferry_presign_requests_total", "Presign requests received.");
  /** Requests answered with URLs. */
  readonly grants = new Counter("ferry_presign_grants_total", "Presign requests granted.");
  /** Requests answered with an error, by reason (the reply's error code). */
  readonly refusals = new Counter("ferry_presign_refusals_total", "Presign requests refused, by reason.");
  /** Messages that got no answer because none could be addressed or trusted. */
  readonly dropped = new Counter("ferry_presign_dropped_total", "Presign messages dropped without a reply, by reason.");
  /** Time from receipt to the reply being handed to the transport. */
  readonly latency = new Histogram("ferry_presign_latency_seconds", "Time to answer a presign request.");

  render(): string {
    const all = [this.requests, this.grants, this.refusals, this.dropped, this.latency];
    return `${all.flatMap((metric) => metric.render()).join("\n")}\n`;
  }
}

function labelText(labels: Labels): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((name) => `${name}="${escape(labels[name] ?? "")}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

function escape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
