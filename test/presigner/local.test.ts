// The presigner against the in-process peers: aedes (MQTT 3.1.1, so a plain
// subscription) and s3rver (checks signatures and expiry).
import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { validateConfig } from "../../host-tools/src/presigner/config.js";
import { Logger } from "../../host-tools/src/presigner/log.js";
import { startPresigner } from "../../host-tools/src/presigner/presigner.js";
import { TestDevice } from "./device.js";
import { describePresignerFlows } from "./flows.js";
import { localPeers } from "./peers.js";
import { describePostPolicy } from "./post-policy.js";

describe("presigner on aedes + s3rver", () => {
  describePresignerFlows(localPeers);
});

describe("the fully local default (`npm start`)", () => {
  it("starts its own broker and store, falls back to a plain subscription, and says so", async () => {
    const lines: string[] = [];
    const config = validateConfig({ local: { mqttPort: 0, s3Port: 0 }, http: { port: 0 } }, "defaults");
    const presigner = await startPresigner(config, { log: new Logger({ write: (line: string) => lines.push(line) }) });
    try {
      expect(presigner.mqttMode).toBe("plain");
      const device = await TestDevice.attach("board-1", await mqtt.connectAsync(presigner.mqttUrl));
      const reply = await device.request({ id: "r1", op: "put", key: "logs/1.log", size: 5 });
      if (!reply.ok) throw new Error(reply.message);
      expect((await fetch(reply.url, { method: "PUT", body: "hello" })).status).toBe(200);
      expect((await fetch(`${presigner.httpUrl}/presign/logs/2.log?method=PUT&contentLength=1`)).status).toBe(200);
      await device.close();
      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg).join("\n");
      expect(messages).toContain("does not speak MQTT 5");
      expect(messages).toContain("built-in development master secret");
      expect(messages).toContain("answers without a token");
    } finally {
      await presigner.close();
    }
  });
});

describe("POST policies on s3rver (signed, not enforced by s3rver)", () => {
  describePostPolicy(localPeers, false);
});
