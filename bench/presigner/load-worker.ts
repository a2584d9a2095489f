/**
 * A share of the benchmark's devices, in one process: each device is an MQTT
 * client in a closed loop, one request outstanding, the next sent as soon as
 * the reply arrives, as a device asking for its URLs one after another does.
 * Requests and subscriptions are QoS 1, as a device's are.
 */
import mqtt, { type MqttClient } from "mqtt";
import { presignReplyTopic, presignTopic } from "../../firmware/src/protocol/topics.js";
import { fromParent, toParent } from "../support/child.js";
import { PHASE_PREFIX, type PhaseDone, type PhaseName, type RunPhase, type Setup, type ToLoad } from "./messages.js";

/** Connections opened at once: Mosquitto listens with a backlog of 100, which a burst of 1,000 would overflow. */
const CONNECT_BATCH = 50;
/** How long the drain after a phase waits for the last replies before calling them lost. */
const DRAIN_MS = 5_000;

interface Phase {
  readonly name: PhaseName;
  readonly windowStart: number;
  readonly windowEnd: number;
  sending: boolean;
  completed: number;
  readonly latenciesMs: number[];
  refused: number;
  firstRefusal?: string;
  unexpected: number;
  outstanding: number;
  drained?: () => void;
}

class LoopDevice {
  private sequence = 0;
  private waitingFor: string | undefined;
  private sentAt = 0;
  private phase: Phase | undefined;

  constructor(
    readonly id: string,
    readonly client: MqttClient,
  ) {
    client.on("message", (topic, payload) => this.receive(topic, payload));
  }

  start(phase: Phase): void {
    this.phase = phase;
    phase.outstanding++;
    this.send();
  }

  private send(): void {
    const phase = this.phase!;
    const id = `${this.id}-${++this.sequence}`;
    this.waitingFor = id;
    this.sentAt = performance.now();
    // A log upload: the common request, and the dearest (two URLs).
    const request = `{"id":"${id}","op":"put","key":"logs/0001.log","size":18432}`;
    this.client.publish(presignTopic(PHASE_PREFIX[phase.name], this.id), request, { qos: 1 });
  }

  private receive(topic: string, payload: Buffer): void {
    const phase = this.phase;
    if (phase === undefined || topic !== presignReplyTopic(PHASE_PREFIX[phase.name], this.id)) return;
    const now = performance.now();
    let reply: { id?: unknown; ok?: unknown; message?: unknown };
    try {
      reply = JSON.parse(payload.toString("utf8")) as typeof reply;
    } catch {
      phase.unexpected++;
      return;
    }
    if (reply.id !== this.waitingFor) {
      phase.unexpected++;
      return;
    }
    this.waitingFor = undefined;
    if (phase.name === "presign" && reply.ok !== true) {
      phase.refused++;
      phase.firstRefusal ??= String(reply.message);
    } else if (now >= phase.windowStart && now <= phase.windowEnd) {
      phase.completed++;
      phase.latenciesMs.push(now - this.sentAt);
    }
    if (phase.sending && now < phase.windowEnd) {
      this.send();
      return;
    }
    this.phase = undefined;
    if (--phase.outstanding === 0) phase.drained?.();
  }

  get waiting(): boolean {
    return this.waitingFor !== undefined;
  }
}

let devices: LoopDevice[] = [];

fromParent<ToLoad>(async (message) => {
  if (message.type === "setup") {
    devices = await connectAll(message);
    toParent({ type: "connected" });
  } else {
    toParent(await run(message));
  }
});

async function connectAll(setup: Setup): Promise<LoopDevice[]> {
  const connected: LoopDevice[] = [];
  for (let first = 0; first < setup.devices.length; first += CONNECT_BATCH) {
    const batch = setup.devices.slice(first, first + CONNECT_BATCH);
    connected.push(...(await Promise.all(batch.map((id) => connectDevice(setup.brokerUrl, id)))));
  }
  return connected;
}

async function connectDevice(url: string, id: string): Promise<LoopDevice> {
  const client = await mqtt.connectAsync(url, { clientId: id, protocolVersion: 5, clean: true, reconnectPeriod: 0, connectTimeout: 30_000 });
  client.on("error", (err) => {
    throw new Error(`device ${id}: ${err.message}`);
  });
  client.on("close", () => {
    throw new Error(`device ${id} lost its connection to the broker`);
  });
  const topics = Object.values(PHASE_PREFIX).map((prefix) => presignReplyTopic(prefix, id));
  const granted = await client.subscribeAsync(topics, { qos: 1 });
  if (granted.some((grant) => grant.qos >= 0x80)) throw new Error(`device ${id} may not subscribe to ${topics.join(", ")}`);
  return new LoopDevice(id, client);
}

async function run(order: RunPhase): Promise<PhaseDone> {
  const now = performance.now();
  const phase: Phase = {
    name: order.phase,
    windowStart: now + order.warmupMs,
    windowEnd: now + order.warmupMs + order.measureMs,
    sending: true,
    completed: 0,
    latenciesMs: [],
    refused: 0,
    unexpected: 0,
    outstanding: 0,
  };
  const drained = new Promise<void>((resolve) => (phase.drained = resolve));
  for (const device of devices) device.start(phase);
  await new Promise((resolve) => setTimeout(resolve, order.warmupMs + order.measureMs));
  phase.sending = false;
  const timedOut = new Promise<void>((resolve) => setTimeout(resolve, DRAIN_MS).unref());
  await Promise.race([drained, timedOut]);
  const stalled = devices.filter((device) => device.waiting).length;
  return {
    type: "done",
    completed: phase.completed,
    latenciesMs: phase.latenciesMs,
    refused: phase.refused,
    firstRefusal: phase.firstRefusal,
    unexpected: phase.unexpected,
    stalled,
  };
}
