// A host-side MQTT client that follows every device's reports, the way an
// operator's dashboard would: it subscribes before any device boots, so no
// upload event goes unseen, and gets each device's retained state at once.
import { EventEmitter } from "node:events";
import mqtt, { type MqttClient } from "mqtt";
import { readDeviceReport, reportFilters, type DeviceReport } from "./device-reports.js";

interface WatcherEvents {
  report: [DeviceReport];
  /** The broker went away (the stack stopped, for a process that joined it). */
  lost: [];
}

export class ReportWatcher extends EventEmitter<WatcherEvents> {
  private closing = false;

  private constructor(private readonly client: MqttClient) {
    super();
  }

  static async connect(url: string, prefix: string, clientId: string): Promise<ReportWatcher> {
    let client: MqttClient;
    try {
      client = await mqtt.connectAsync(url, { clientId, protocolVersion: 4, reconnectPeriod: 1000, connectTimeout: 5000 });
    } catch (err) {
      throw new Error(`cannot reach the stack's MQTT broker at ${url}: ${(err as Error).message}. Is the stack still running?`);
    }
    const watcher = new ReportWatcher(client);
    client.on("message", (topic, payload) => {
      const report = readDeviceReport(prefix, topic, payload);
      if (report) watcher.emit("report", report);
    });
    client.on("offline", () => {
      if (!watcher.closing) watcher.emit("lost");
    });
    await client.subscribeAsync(reportFilters(prefix), { qos: 1 });
    return watcher;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client.endAsync(true);
  }
}
