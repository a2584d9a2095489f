/**
 * How each kind of fault is set up on a lane for one trial, what it waits
 * for, and how it is undone. The checks of what it must have done are in
 * trial.ts.
 */
import { unlinkSync } from "node:fs";
import { join } from "node:path";
import type { DeviceEvent, UploadEvent } from "../../firmware/src/protocol/events.js";
import type { PutRequest } from "../../firmware/src/protocol/presign.js";
import type { ProxyLink } from "../support/fault-proxy.js";
import { forgeReply } from "./forgery.js";
import type { Lane } from "./lane.js";
import { MALFORMED_PACKETS, publishPacket } from "./mqtt-framing.js";
import type { TrialPlan } from "./plan.js";
import type { HttpFault, ObservedRequest } from "./store-proxy.js";

const NORMAL_EXPIRY_SECONDS = 300;
/** How long the presigner's replies are held back so a forged one arrives first. */
const GENUINE_REPLY_DELAY_MS = 300;
/** Over the app's maxPacketSize of 4096. */
const OVERSIZED_PAYLOAD = 6_000;

/** Collects what a trial must wait for and how to undo its fault. */
export class TrialScope {
  readonly waits: Promise<unknown>[] = [];
  private readonly undo: (() => Promise<void> | void)[] = [];
  fired = 0;
  effect = "";
  /** Set when the fault came too late to test what it is for. */
  late: string | undefined;
  /** Rejects when the device does something that fails the trial whatever comes after. */
  readonly tripped: Promise<never>;
  trip!: (problem: string) => void;

  constructor() {
    this.tripped = new Promise<never>((_, reject) => {
      this.trip = (problem) => reject(new Error(problem));
    });
    // Only the race in runTrial listens; an untripped scope must not warn.
    this.tripped.catch(() => {});
  }

  onEnd(task: () => Promise<void> | void): void {
    this.undo.push(task);
  }

  async end(): Promise<void> {
    for (const task of this.undo.splice(0).reverse()) await task();
  }
}

/** Sets the fault up; what it changes is undone by scope.end(). */
export async function armFault(lane: Lane, plan: TrialPlan, scope: TrialScope): Promise<void> {
  const { fault } = plan;
  const target = "file" in fault ? plan.files[fault.file]! : undefined;
  const targetPath = target ? lane.objectPath(target.path) : "";
  const onTarget = (method: string) => (request: ObservedRequest) => request.method === method && request.path === targetPath;
  const armStore = (method: string, http: HttpFault, times: number) => {
    for (let i = 0; i < times; i++) {
      lane.store.arm({ match: onTarget(method), fault: http, applied: () => (scope.fired += 1) });
    }
    scope.effect = `${method} faulted`;
    scope.onEnd(() => lane.store.disarm());
  };

  switch (fault.kind) {
    case "cut-put":
      return armStore("PUT", { kind: "cut-request", fraction: fault.fraction }, fault.times);
    case "cut-tls": {
      // The gate cuts every connection it accepts until one has been cut; then it is cleared.
      lane.storeGate.setFaults(fault.direction, { cutAfterBytes: fault.bytes });
      const onLink = (link: ProxyLink) => {
        void link.closed.then(() => {
          if (scope.fired > 0 || link.forwarded[fault.direction] !== fault.bytes) return;
          scope.fired += 1;
          lane.storeGate.setFaults(fault.direction, {});
          scope.effect = `cut after ${fault.bytes} bytes ${fault.direction}, ${link.forwarded.up} up and ${link.forwarded.down} down forwarded`;
        });
      };
      lane.storeGate.on("link", onLink);
      scope.onEnd(() => {
        lane.storeGate.off("link", onLink);
        lane.storeGate.setFaults(fault.direction, {});
      });
      return;
    }
    case "cut-answer":
      return armStore(fault.request, { kind: "cut-response", fraction: fault.fraction }, fault.times);
    case "store-error":
      return armStore(fault.request, { kind: "answer", status: fault.status, when: fault.when }, fault.times);
    case "expired-url": {
      await lane.usePresigner(1);
      scope.onEnd(() => lane.usePresigner(NORMAL_EXPIRY_SECONDS));
      return armStore("PUT", { kind: "delay", ms: fault.delayMs }, 1);
    }
    case "forged-reply": {
      lane.servicePath.setFaults("up", { delayMs: GENUINE_REPLY_DELAY_MS });
      const visits = lane.decoy.visits;
      const forged = new Set<string>();
      /** Request ids whose forged reply reached the device, and of those, how many before the genuine one. */
      const forgedFirst = new Set<string>();
      let ahead = 0;
      const forge = (request: PutRequest) => {
        if (!plan.files.some((file) => file.path === `/${request.key}`)) return;
        const payload = forgeReply(fault.forgery, request, lane.deviceId, lane.deviceKey, lane.decoy.port);
        forged.add(payload);
        lane.watcher.publish(lane.replyTopic, payload);
        scope.fired += 1;
      };
      const order = lane.brokerPath.watch((direction, publish) => {
        if (direction !== "down" || publish.topic !== lane.replyTopic) return;
        const text = publish.payload.toString("latin1");
        const id = (JSON.parse(text) as { id: string }).id;
        if (forged.has(text)) forgedFirst.add(id);
        else if (forgedFirst.delete(id)) ahead += 1;
      });
      const fooled = () => scope.trip(`a forged ${fault.forgery} reply sent the device to the decoy store`);
      const believed = (event: DeviceEvent) => {
        if (event.type === "upload" && event.reason === "presign-too-large") scope.trip("the device acted on a forged refusal (presign-too-large)");
      };
      lane.watcher.on("request", forge);
      lane.decoy.on("visit", fooled);
      lane.watcher.on("event", believed);
      scope.onEnd(() => {
        lane.watcher.off("request", forge);
        lane.decoy.off("visit", fooled);
        lane.watcher.off("event", believed);
        order();
        lane.servicePath.setFaults("up", {});
        scope.effect = `${scope.fired} forged replies, ${ahead} ahead of the genuine one, decoy visited ${lane.decoy.visits - visits} times`;
        if (ahead === 0) scope.late = "no forged reply reached the device ahead of the genuine one, so none was refused for its MAC alone";
      });
      return;
    }
    case "bad-mqtt": {
      const links = lane.brokerPath.connections;
      const stop = lane.brokerPath.watch((direction, publish) => {
        if (scope.fired > 0) return;
        const hit =
          fault.moment === "request" ? direction === "up" && publish.topic === lane.requestTopic : direction === "down" && publish.topic === lane.replyTopic;
        if (!hit) return;
        scope.fired += 1;
        if (fault.packet === "oversized-publish") return publishPacket(lane.replyTopic, Buffer.alloc(OVERSIZED_PAYLOAD, 0x7b));
        return fault.packet === "garbage" ? fault.garbage : MALFORMED_PACKETS[fault.packet];
      });
      scope.onEnd(() => {
        stop();
        scope.effect = `device reconnected ${lane.brokerPath.connections - links} times`;
      });
      return;
    }
    case "broker-away": {
      let outage: Promise<void> | undefined;
      const strike = (request: ObservedRequest) => {
        if (outage || !onTarget("PUT")(request)) return;
        scope.fired += 1;
        outage = lane.brokerAway(fault.downMs);
        scope.waits.push(outage.then(() => reconnected(lane)));
      };
      lane.store.on("request", strike);
      scope.onEnd(async () => {
        lane.store.off("request", strike);
        // A trial that never struck still must not leave the broker half-way.
        await outage;
      });
      return;
    }
    case "sd-vanish": {
      const file = target!;
      const key = file.path.slice(1);
      let failed: ((event: UploadEvent) => void) | undefined;
      scope.waits.push(
        new Promise<void>((resolve) => {
          failed = (event) => {
            if (scope.fired > 0 && event.file === file.path) resolve();
          };
          lane.watcher.on("event", failed as (event: DeviceEvent) => void);
        }),
      );
      const stop = lane.brokerPath.watch((direction, publish) => {
        if (scope.fired > 0 || direction !== "down" || publish.topic !== lane.replyTopic) return;
        const reply = JSON.parse(publish.payload.toString("latin1")) as { key?: string };
        if (reply.key !== key) return;
        unlinkSync(join(lane.cardDir, file.path));
        scope.fired += 1;
      });
      scope.onEnd(() => {
        stop();
        lane.watcher.off("event", failed as (event: DeviceEvent) => void);
      });
      return;
    }
  }
}

/** Resolves once the device has a connection through the broker's address again. */
function reconnected(lane: Lane): Promise<void> {
  if (lane.brokerPath.open.length > 0) return Promise.resolve();
  return new Promise((resolve) => lane.brokerPath.once("link", () => resolve()));
}
