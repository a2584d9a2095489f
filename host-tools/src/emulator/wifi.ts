// `require("Wifi")` as the ESP32 port has it
// (libs/network/esp32/jswrap_esp32_network.c). The connect callback runs
// only once the station has an address, with `null`; a failed attempt never
// calls it: the module emits `disconnected` with `{ssid, mac, reason, msg}`
// (reason the ESP-IDF code as a string, msg its name, e.g. "201" and
// "NO_AP_FOUND"), so the app needs its own timeout, as the engine's docs
// say. Events: `associated`, `connected` ({ip, netmask, gw}), `disconnected`.
import type { EngineScope } from "./engine-scope.js";
import { engineTypeName } from "./net/engine-errors.js";
import { DISCONNECT_REASONS, type DisconnectReason, type StationLink, type WifiRadio } from "./wifi-radio.js";

const STATION_MAC = "24:0a:c4:00:00:01";

type Callback = (...args: unknown[]) => unknown;

function reasonText(reason: DisconnectReason | undefined): string {
  return reason ?? "Unknown reason";
}

/** @param onStop registers cleanup for the end of the boot */
export function createWifiModule(radio: WifiRadio, scope: EngineScope, onStop: (cleanup: () => void) => void): Record<string, unknown> {
  const { realm } = scope;
  const wifi = realm.object();
  let connectCallback: Callback | undefined;
  let disconnectCallback: Callback | undefined;

  const emit = (event: string, details: Record<string, unknown>): void => {
    (wifi.emit as Callback).call(wifi, event, realm.object(details));
  };
  const later = (callback: Callback | undefined, ...args: unknown[]): void => {
    if (callback) scope.enqueue(() => callback(...args));
  };
  const onAssociated = (link: StationLink): void => emit("associated", { ssid: link.ssid, mac: link.bssid, channel: String(link.channel) });
  const onConnected = (link: StationLink): void => {
    const callback = connectCallback;
    connectCallback = undefined;
    later(callback, null);
    emit("connected", { ip: link.ip, netmask: link.netmask, gw: link.gw });
  };
  const onDisconnected = (ssid: string, reason: DisconnectReason): void => {
    const callback = disconnectCallback;
    disconnectCallback = undefined;
    later(callback);
    emit("disconnected", { ssid, mac: "00:00:00:00:00:00", reason: String(DISCONNECT_REASONS[reason]), msg: reason });
  };
  radio.on("associated", onAssociated);
  radio.on("connected", onConnected);
  radio.on("disconnected", onDisconnected);
  onStop(() => {
    radio.off("associated", onAssociated);
    radio.off("connected", onConnected);
    radio.off("disconnected", onDisconnected);
  });

  const checkCallback = (callback: unknown): Callback | undefined => {
    if (callback === undefined || callback === null) return undefined;
    if (typeof callback !== "function") throw new Error(`Expecting callback function but got ${String(callback)}`);
    return callback as Callback;
  };

  const functions: Record<string, (...args: never[]) => unknown> = {
    connect: (ssid: unknown, options: unknown, callback: unknown) => {
      if (typeof ssid !== "string") throw new Error("No SSID provided");
      if (options !== undefined && options !== null && typeof options !== "object") {
        throw new Error(`Expecting Object, got ${engineTypeName(options)}`);
      }
      const password = (options as { password?: unknown } | undefined)?.password;
      if (password !== undefined && typeof password !== "string") {
        throw new Error(`Expecting options.password to be a string but got ${engineTypeName(password)}`);
      }
      connectCallback = checkCallback(callback);
      disconnectCallback = undefined;
      const link = radio.connection;
      if (link && link.ssid === ssid && link.password === (password ?? "")) {
        const done = connectCallback;
        connectCallback = undefined;
        later(done, null);
        return;
      }
      radio.join(ssid, password ?? "");
    },
    disconnect: (callback: unknown) => {
      disconnectCallback = checkCallback(callback);
      if (radio.connected) radio.leave();
      else later(disconnectCallback);
    },
    getStatus: (callback: unknown) => {
      const link = radio.connection;
      const status = realm.object(
        link
          ? {
              station: "connected",
              ssid: link.ssid,
              bssid: link.bssid,
              channel: link.channel,
              rssi: -50,
              htMode: "HT20",
              authMode: "wpa2",
              mode: "STA",
              powersave: "none",
            }
          : { station: reasonText(radio.lastReason), mode: radio.mode, powersave: "none" },
      );
      later(checkCallback(callback), status);
      return status;
    },
    getDetails: (callback: unknown) => {
      const link = radio.connection;
      const details = realm.object(
        link
          ? { ssid: link.ssid, password: link.password, status: "connected", authMode: "wpa2" }
          : { status: reasonText(radio.lastReason) },
      );
      later(checkCallback(callback), details);
      return details;
    },
    getIP: (callback: unknown) => {
      const link = radio.connection;
      const info = realm.object({
        ip: link?.ip ?? "0.0.0.0",
        netmask: link?.netmask ?? "0.0.0.0",
        gw: link?.gw ?? "0.0.0.0",
        mac: STATION_MAC,
      });
      later(checkCallback(callback), null, info);
      return info;
    },
  };
  for (const [name, fn] of Object.entries(functions)) wifi[name] = scope.guard(fn as (...args: unknown[]) => unknown);
  return wifi;
}
