// Running out of the variable store: socket output that is never allowed to
// drain fills it, and the device reports it the engine's way and goes on.
import net from "node:net";
import { onTestFinished, expect, test } from "vitest";
import { bootDevice } from "./fixture.js";
import { listenOnLoopback } from "../support/ports.js";

async function silentServer(): Promise<number> {
  const server = net.createServer((socket) => socket.on("data", () => undefined));
  await listenOnLoopback(server);
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.on("connection", (socket) => onTestFinished(() => {
    socket.destroy();
  }));
  return (server.address() as net.AddressInfo).port;
}

test("writing without waiting for drain runs the engine out of memory", async () => {
  const port = await silentServer();
  const device = await bootDevice(`
    var socket = require("net").connect({ host: "127.0.0.1", port: ${port} }, function () {
      for (var i = 0; i < 200; i++) socket.write("x".repeat(1000));
      print("never reached");
    });
    setTimeout(function () { print("still running"); }, 50);`);
  const reasons: string[] = [];
  device.on("oom", (reason: string) => reasons.push(reason));
  await device.waitForOutput("still running");
  expect(device.outOfMemory).toBe(true);
  expect(reasons).toHaveLength(1);
  expect(device.output).toMatch(
    /OUT OF MEMORY( {4}at [^\n]*)?\nExecution Interrupted during event processing\.\nNew interpreter error: LOW_MEMORY,MEMORY\n/,
  );
  expect(device.output).not.toContain("never reached");
  expect(device.eval("E.getErrorFlags().join()")).toBe("LOW_MEMORY,MEMORY");
  expect(device.eval("E.getErrorFlags().length")).toBe(0);
  expect(device.sockets).toBeDefined();
});
