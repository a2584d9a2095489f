// require("Wifi") as the ESP32 port behaves: the callback runs only on
// success; failures and drops arrive as `disconnected` events with the
// ESP-IDF reason.
import { expect, test } from "vitest";
import { bootDevice } from "./fixture.js";

const lab = { wifi: { networks: [{ ssid: "lab", password: "correct horse" }] } };
const listen = `
  var wifi = require("Wifi");
  wifi.on("connected", function (d) { print("connected " + d.ip); });
  wifi.on("disconnected", function (d) { print("disconnected " + d.ssid + " " + d.reason + " " + d.msg); });`;

test("joining an access point in range with the right password", async () => {
  const device = await bootDevice(`${listen}
    wifi.connect("lab", { password: "correct horse" }, function (err) { print("callback " + err); });`, lab);
  await device.waitForOutput("connected 192.168.1.100");
  expect(device.output).toContain("callback null\n");
  expect(device.eval("wifi.getDetails().status + ' ' + wifi.getStatus().station + ' ' + wifi.getIP().ip")).toBe(
    "connected connected 192.168.1.100",
  );
  expect(device.runtime!.networkUp).toBe(true);
});

test("a wrong password or an absent network never calls back; the reason comes as an event", async () => {
  const device = await bootDevice(`${listen}
    wifi.connect("lab", { password: "wrong" }, function (err) { print("first callback " + err); });`, lab);
  await device.waitForOutput("disconnected lab 15 4WAY_HANDSHAKE_TIMEOUT");
  expect(device.eval("wifi.getDetails().status")).toBe("4WAY_HANDSHAKE_TIMEOUT");
  device.eval('wifi.connect("cafe", {}, function (err) { print("second callback " + err); })');
  await device.waitForOutput("disconnected cafe 201 NO_AP_FOUND");
  device.eval('wifi.connect("lab", { password: "correct horse" }, function (err) { print("third callback " + err); })');
  await device.waitForOutput("third callback null");
  expect(device.output).not.toContain("first callback");
  expect(device.output).not.toContain("second callback");
  expect(device.runtime!.networkUp).toBe(true);
});

test("tests can drop the link or take the access point out of range", async () => {
  const device = await bootDevice(`${listen}
    wifi.connect("lab", { password: "correct horse" });`, lab);
  await device.waitForOutput("connected 192.168.1.100");
  device.wifi.dropConnection();
  await device.waitForOutput("disconnected lab 200 BEACON_TIMEOUT");
  expect(device.runtime!.networkUp).toBe(false);
  device.wifi.setInRange("lab", false);
  device.eval('wifi.connect("lab", { password: "correct horse" })');
  await device.waitForOutput("disconnected lab 201 NO_AP_FOUND");
  device.wifi.setInRange("lab", true);
  device.eval('wifi.connect("lab", { password: "correct horse" })');
  await device.waitForOutput((out) => out.split("connected 192.168.1.100").length === 3);
});

test("disconnect calls back, and the station outlives load()", async () => {
  const device = await bootDevice(`${listen}
    if (wifi.getDetails().status === "connected") print("still connected after load");
    else wifi.connect("lab", { password: "correct horse" }, function () { load(); });`, lab);
  await device.waitForOutput("still connected after load");
  device.eval('wifi.disconnect(function () { print("left"); })');
  await device.waitForOutput("disconnected lab 8 ASSOC_LEAVE");
  expect(device.output).toContain("left\n");
  expect(device.wifi.connected).toBe(false);
});

test("bad arguments get the engine's errors", async () => {
  const device = await bootDevice(listen, lab);
  expect(() => device.eval("wifi.connect(5)")).toThrow("No SSID provided");
  expect(() => device.eval('wifi.connect("lab", {}, 5)')).toThrow("Expecting callback function but got 5");
});
