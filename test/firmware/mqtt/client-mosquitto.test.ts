// The device's MQTT client against Mosquitto over mutual TLS, with the ACL
// that limits each device to `ferry/<its id>/#`.
import { expect, it } from "vitest";
import { DeviceEvalError } from "../../../host-tools/src/emulator/index.js";
import { mosquittoPeer } from "./brokers.js";
import { describeClientAgainst } from "./client-suite.js";

describeClientAgainst("Mosquitto (mutual TLS)", mosquittoPeer, (context) => {
  it("gives its TLS session back on pause(), so a second one fits on a one-session board, and takes it again on resume()", async () => {
    const proxy = await context.proxy();
    const { device } = await context.device(proxy);
    expect(device.device.board.tlsSessions).toBe(1);
    await device.connected();
    const { host, port } = context.peer().address();
    const probe = `var probe = require("tls").connect({host: ${JSON.stringify(host)}, port: ${port}, key: require("Storage").read("device.key"), cert: require("Storage").read("device.crt")});
      probe.on("connect", function () { print("PROBE open"); probe.end(); });
      probe.on("close", function () { print("PROBE closed"); });`;

    expect(() => device.device.eval(probe)).toThrow(DeviceEvalError);
    expect(device.device.output).toContain("Not enough memory");

    await device.pause();
    device.device.eval(probe);
    await device.waitFor("PROBE closed");
    expect(device.hasReported("PROBE open")).toBe(true);

    device.resume();
    await device.connected(2);
    expect(device.device.sockets?.open()).toMatchObject([{ kind: "tls", state: "open" }]);
  });
});
