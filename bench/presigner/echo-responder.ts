/**
 * The ceiling: a responder that does no work. It takes requests on the same
 * kind of shared subscription as the presigner, and answers each on the
 * device's reply topic with the request padded to the size of a presign
 * reply, QoS 1, so the broker and the devices do what they do for presigns
 * and only the service's own work is missing.
 *
 * argv: broker URL, reply size in bytes.
 */
import mqtt from "mqtt";
import { presignFilter } from "../../firmware/src/protocol/topics.js";
import { fromParent, toParent } from "../support/child.js";
import { PHASE_PREFIX, type Ready } from "./messages.js";

const [brokerUrl, replyBytesText] = process.argv.slice(2);
const replyBytes = Number(replyBytesText);
if (brokerUrl === undefined || !(replyBytes > 0)) throw new Error("usage: echo-responder <broker URL> <reply bytes>");

// The request's closing "}" becomes `,"pad":"..."}`: still JSON, with the request's id.
const padding = Buffer.from(`,"pad":"${"x".repeat(replyBytes)}"}`);
// Connected as the service connects (MQTT 5, clean session), so the ceiling has the same flow control.
const client = await mqtt.connectAsync(brokerUrl, { clientId: `bench-echo-${process.pid}`, protocolVersion: 5, clean: true, reconnectPeriod: 0 });
client.on("message", (topic, payload) => {
  const padBytes = Math.max(0, replyBytes - payload.length - 9);
  const reply = Buffer.concat([payload.subarray(0, payload.length - 1), padding.subarray(0, 8 + padBytes), padding.subarray(padding.length - 2)]);
  client.publish(`${topic}/reply`, reply, { qos: 1 });
});
const granted = await client.subscribeAsync(`$share/bench-echo/${presignFilter(PHASE_PREFIX.echo)}`, { qos: 1 });
if ((granted[0]?.qos ?? 0x80) >= 0x80) throw new Error("the broker refused the echo responder's shared subscription");
fromParent(() => undefined);
toParent({ type: "ready" } satisfies Ready);
