// `ferry run`: the gate first, then the bundle boots on the emulator with
// its console on stdout.
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { expect, onTestFinished, test } from "vitest";
import { createRunCommand } from "../../host-tools/src/cli/commands/run.js";
import { temporaryDirectory } from "./fixture.js";
import { listenOnLoopback } from "../support/ports.js";

function runner(options: { stopWhen?: (stdout: string) => boolean } = {}) {
  let stdout = "";
  let stderr = "";
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const command = createRunCommand({
    stdout: {
      write: (text: string) => {
        stdout += text;
        if (options.stopWhen?.(stdout)) stop();
      },
    },
    stderr: { write: (text: string) => (stderr += text) },
    interrupt: () => ({ stopped, release: () => undefined }),
  });
  return {
    run: (argv: string[]) => command.run(argv),
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

function bundle(code: string): string {
  const path = join(temporaryDirectory(), "app.js");
  writeFileSync(path, code);
  return path;
}

test("runs the bundle as .bootcde and stops after --timeout", async () => {
  const app = bundle('var S = require("Storage"); var n = (S.readJSON("runs", true) || 0) + 1; S.writeJSON("runs", n); print("run " + n);');
  const storage = join(temporaryDirectory(), "flash.bin");
  const first = runner();
  expect(await first.run([app, "--timeout", "0.05", "--storage", storage])).toBe(0);
  expect(first.stdout).toBe("run 1\n");
  const second = runner();
  expect(await second.run([app, "--timeout", "0.05", "--storage", storage])).toBe(0);
  expect(second.stdout).toBe("run 2\n");
});

test("refuses a bundle the gate rejects, unless --no-gate", async () => {
  const app = bundle("var seen = new Map();\nprint(seen.size);\n");
  const refused = runner();
  expect(await refused.run([app, "--timeout", "0.05"])).toBe(1);
  expect(refused.stderr).toContain("Map");
  expect(refused.stderr).toContain("--no-gate");
  expect(refused.stdout).toBe("");
  const forced = runner();
  expect(await forced.run([app, "--timeout", "0.05", "--no-gate"])).toBe(0);
  expect(forced.stdout).toContain('Uncaught ReferenceError: "Map" is not defined');
});

test("--sd and --wifi give the device a card and access points; Ctrl-C stops it", async () => {
  const card = temporaryDirectory();
  const app = bundle(`
    E.connectSDCard(SPI1, D5);
    require("Wifi").connect("lab", { password: "pw12345678" }, function (err) {
      require("fs").writeFileSync("/net.txt", "joined " + err);
      print("joined");
    });`);
  const cli = runner({ stopWhen: (out) => out.includes("joined") });
  expect(await cli.run([app, "--sd", card, "--wifi", "other", "--wifi", "lab:pw12345678"])).toBe(0);
  expect(readFileSync(join(card, "net.txt"), "latin1")).toBe("joined null");
});

test("exits 1 when the device runs out of memory", async () => {
  const server = net.createServer((socket) => onTestFinished(() => {
    socket.destroy();
  }));
  await listenOnLoopback(server);
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as net.AddressInfo).port;
  const app = bundle(`
    var socket = require("net").connect({ host: "127.0.0.1", port: ${port} }, function () {
      for (var i = 0; i < 100; i++) socket.write("0123456789".repeat(100));
    });`);
  const cli = runner();
  expect(await cli.run([app, "--timeout", "10"])).toBe(1);
  expect(cli.stdout).toContain("OUT OF MEMORY");
});

test("usage errors exit 2 and say what to type", async () => {
  const cli = runner();
  expect(await cli.run([])).toBe(2);
  expect(cli.stderr).toContain("name exactly one bundle");
  expect(await cli.run([bundle("print(1);"), "--timeout", "soon"])).toBe(2);
  expect(cli.stderr).toContain("--timeout takes a number of seconds");
  expect(await cli.run([join(temporaryDirectory(), "missing.js")])).toBe(2);
  expect(cli.stderr).toContain("cannot read");
});
