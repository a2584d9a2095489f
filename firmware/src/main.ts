// ferry's default device app: it logs to the SD card and ships the closed
// log files to the bucket (design.md, "Log upload"). Boot: the settings from
// Storage (ferry.json, written by provisioning), the card, the logger,
// Wi-Fi, then MQTT to the service; an upload round and a status line every
// upload.intervalSeconds, the first round soon after MQTT first connects.
import { CA_CERT_FILE, CLIENT_CERT_FILE, CLIENT_KEY_FILE, CONFIG_FILE, DEVICE_KEY_FILE, type DeviceConfig } from "./app/config.js";
import { createLogger } from "./logger/logger.js";
import { createMqttClient } from "./mqtt/client.js";
import { memory, say } from "./platform/console.js";
import { sha256 } from "./platform/crypto.js";
import { mountSdCardOn, sdCard } from "./platform/fs.js";
import { connect } from "./platform/net.js";
import { readStored, storedRecord } from "./platform/storage.js";
import { after, now } from "./platform/time.js";
import { keepWifi } from "./platform/wifi.js";
import { STATE_OFFLINE, STATE_ONLINE } from "./protocol/events.js";
import { DEFAULT_TOPIC_PREFIX } from "./protocol/topics.js";
import { createPresignClient } from "./uploader/presign-client.js";
import { createUploader } from "./uploader/round.js";
import { httpSession } from "./http/session.js";

/** The first round after the first connection: soon, but after the reply subscription. */
const FIRST_ROUND_MS = 2000;

function start(config: DeviceConfig, deviceKey: string): void {
  const deviceId = config.deviceId;
  // The device's topics are `<prefix>/<dev>/<DeviceChannel>` (protocol/topics.ts).
  const topics = (config.prefix || DEFAULT_TOPIC_PREFIX) + "/" + deviceId + "/";
  const state = topics + "state";
  const replies = topics + "presign/reply";
  const upload = config.upload || {};
  const logSettings = config.log || {};
  const boots = storedRecord<number>("ferry.boots");
  const boot = (boots.read() || 0) + 1;
  boots.write(boot);

  mountSdCardOn(config.sd);
  const log = createLogger({
    files: sdCard,
    clock: { now: now, after: after },
    sequence: storedRecord<{ next: number }>("ferry.logseq"),
    maxFileBytes: logSettings.maxFileBytes,
    maxFileAgeMs: logSettings.maxFileSeconds && logSettings.maxFileSeconds * 1000,
    console: logSettings.console ? say : undefined,
  });
  log.info("boot", boot, deviceId);

  const broker = config.mqtt;
  const mqtt = createMqttClient({
    connector: connect,
    target: {
      host: broker.host,
      port: broker.port,
      tls: broker.tls ? { key: readStored(CLIENT_KEY_FILE), cert: readStored(CLIENT_CERT_FILE), ca: readStored(CA_CERT_FILE) } : undefined,
    },
    clientId: deviceId,
    keepalive: broker.keepalive || 60,
    cleanSession: true,
    will: { topic: state, payload: STATE_OFFLINE, qos: 1, retain: true },
    maxPacketSize: 4096,
    backoff: { min: 1000, max: 60000 },
  });
  const presigner = createPresignClient({
    deviceId: deviceId,
    deviceKey: deviceKey,
    sha256: sha256,
    send: (payload) => mqtt.publish(topics + "presign", payload),
    after: after,
    timeoutMs: (upload.presignTimeoutSeconds || 20) * 1000,
    idPrefix: "b" + boot + "-r",
  });
  const uploader = createUploader({
    files: sdCard,
    log: log,
    presign: presigner.put,
    openSession: (origin) => httpSession(origin, { connect: connect, timeout: (upload.httpTimeoutSeconds || 30) * 1000 }),
    // Two TLS sessions do not fit a board without PSRAM (docs/engine.md).
    exclusive: broker.tls && (config.tlsSessions || 1) < 2 ? mqtt : undefined,
    report: (event) => mqtt.publish(topics + "event", JSON.stringify(event), { qos: 1 }),
    now: now,
    settings: upload,
  });

  let online = false;
  /** The rounds' interval timer, once the first connection started it. */
  let rounds: number | undefined;
  function round(): void {
    log.info("status free", memory().free, "waiting", log.closedFiles(0).count);
    if (online) uploader.run();
  }
  mqtt.onConnect = () => {
    online = true;
    log.info("mqtt up");
    mqtt.publish(state, STATE_ONLINE, { qos: 1, retain: true });
    if (rounds) return;
    after(FIRST_ROUND_MS, round);
    rounds = setInterval(round, (upload.intervalSeconds || 60) * 1000);
  };
  mqtt.onClose = (reason) => {
    online = false;
    log.info("mqtt down:", reason);
  };
  mqtt.onMessage = (name, payload) => {
    if (name === replies) presigner.receive(payload);
  };
  mqtt.subscribe(replies, 1);

  const wifi = config.wifi;
  if (!wifi) return mqtt.connect();
  let joined = false;
  keepWifi(
    wifi.ssid,
    wifi.password,
    () => {
      // Once: after that MQTT reconnects on its own, and must stay paused while an upload holds the TLS session.
      if (!joined) mqtt.connect();
      joined = true;
    },
    log,
  );
}

/**
 * Starts once Storage holds usable settings (deviceId, mqtt) and the 32-byte
 * device key; until then says so every minute (docs/device-app.md).
 */
function boot(): void {
  const config = storedRecord<DeviceConfig>(CONFIG_FILE).read();
  const key = readStored(DEVICE_KEY_FILE);
  if (config && config.deviceId && config.mqtt && key && key.length === 32) return start(config, key);
  say("ferry: provision the device: " + CONFIG_FILE + ", " + DEVICE_KEY_FILE);
  after(60000, boot);
}

boot();
