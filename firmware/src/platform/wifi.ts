// The ESP32's Wi-Fi station (`require("Wifi")`). Its connect callback runs
// once the station has an address; on the ESP32 port a failed attempt may
// call nothing and emit `disconnected` instead, as does a link lost later
// (docs/emulator.md, "Wi-Fi"). So every retry starts from `disconnected`,
// with a wait doubling to a minute, and one more retry after a minute of
// silence; an error given to the callback only ends that attempt.

const MAX_WAIT = 60000;

/** Where the station's ups and downs are logged (the app's Logger). */
export interface WifiLog {
  info(...parts: unknown[]): void;
  warn(...parts: unknown[]): void;
}

/** Joins `ssid` and keeps rejoining; `up` after each join. Each join, loss and failed attempt is logged, with the engine's reason. */
export function keepWifi(ssid: string, password: string | undefined, up: () => void, log: WifiLog): void {
  const wifi = require("Wifi");
  let wait = 0;
  let timer: number | undefined;
  function attempt(): void {
    timer = setTimeout(retry, MAX_WAIT);
    wifi.connect(ssid, { password: password }, (error) => {
      if (error) return;
      if (timer) clearTimeout(timer);
      timer = undefined;
      wait = 0;
      log.info("wifi up");
      up();
    });
  }
  function retry(): void {
    timer = setTimeout(attempt, (wait = Math.min(MAX_WAIT, wait * 2 || 1000)));
  }
  wifi.on("disconnected", (details) => {
    log.warn("wifi down:", (details as { msg?: string }).msg);
    if (timer) clearTimeout(timer);
    retry();
  });
  attempt();
}
