// Boots, restarts and power cuts: what each one runs, and what survives it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { bootDevice, createDevice, printedTimes, temporaryDirectory } from "./fixture.js";

describe("boot order", () => {
  test("boot files, then E.on('init') listeners, then onInit()", async () => {
    const device = await createDevice();
    device.storage.write(".boot0", 'print("boot0");');
    device.storage.write(".bootPowerOn", 'print("power on");');
    device.install(`
      print("app");
      E.on("init", function () { print("init 1"); });
      E.on("init", function () { print("init 2"); });
      function onInit() { print("onInit"); }`);
    device.boot();
    expect(device.output).toBe("power on\nboot0\napp\ninit 1\ninit 2\nRunning onInit()...\nonInit\n");
  });

  test("an error in the boot code is reported and the boot goes on", async () => {
    const device = await bootDevice(`
      E.on("init", function () { print("init ran"); });
      throw new Error("broken app");`);
    expect(device.output).toContain("Uncaught Error: broken app\n");
    expect(device.output).toContain("init ran");
  });
});

describe("restarts from device code", () => {
  const counting = `
    var S = require("Storage");
    var boots = (S.readJSON("boots", true) || 0) + 1;
    S.writeJSON("boots", boots);
    var ram = (typeof ram === "undefined" ? 0 : ram) + 1;
    print("boot " + boots + " ram " + ram);
    setTimeout(function () { print("timer of boot " + boots); }, 30);`;

  test("load() ends the boot and boots again from Storage: RAM and timers start over", async () => {
    const device = await createDevice();
    const events: string[] = [];
    device.on("boot", () => events.push("boot"));
    device.on("stop", () => events.push("stop"));
    device.install(`${counting}\nif (boots === 1) { load(); print("rest of the task still runs"); }`);
    device.boot();
    await device.waitForOutput("timer of boot 2");
    expect(device.output).toBe("boot 1 ram 1\nrest of the task still runs\nboot 2 ram 1\ntimer of boot 2\n");
    expect(events).toEqual(["boot", "stop", "boot"]);
  });

  test("E.reboot() restarts the chip: power-on code runs again and Wi-Fi is down", async () => {
    const device = await createDevice({ wifi: { networks: [{ ssid: "lab", password: "secret1234" }] } });
    device.storage.write(".bootPowerOn", 'print("power on");');
    device.install(`${counting}
      if (boots === 1) require("Wifi").connect("lab", { password: "secret1234" }, function () { print("online"); E.reboot(); });
      else print("wifi " + require("Wifi").getDetails().status);`);
    device.boot();
    await device.waitForOutput("timer of boot 2");
    expect(device.output).toMatch(/power on\nboot 1 ram 1\nonline\npower on\nboot 2 ram 1\nwifi Unknown reason\n/);
    expect(device.wifi.connected).toBe(false);
  });

  test("reset() clears the app without running .bootcde", async () => {
    const device = await createDevice();
    device.storage.write(".bootrst", 'print("bootrst");');
    device.install('var app = "loaded"; print("app ran");');
    device.boot();
    device.eval("reset()");
    await device.waitForOutput("bootrst\nbootrst");
    expect(device.eval("typeof app")).toBe("undefined");
    expect(device.output.split("app ran").length - 1).toBe(0);
  });

  test("load(file) runs that Storage file after the boot's init", async () => {
    const device = await createDevice();
    device.storage.write(".boot0", 'E.on("init", function () { print("init"); });');
    device.storage.write("slot-b.js", 'print("slot b as " + __FILE__);');
    device.install('print("slot a"); load("slot-b.js");');
    device.boot();
    await device.waitForOutput("slot b as slot-b.js");
    expect(device.output).toBe("slot a\ninit\nslot b as slot-b.js\n");
  });

  test("E.setBootCode writes the next boot's code", async () => {
    const device = await bootDevice('E.setBootCode("print(\\"new code\\");"); load();');
    await device.waitForOutput("new code");
    expect(device.storage.read(".bootcde")).toBe('print("new code");');
  });
});

describe("power cuts", () => {
  // Each tick appends a line to the SD card, records itself in Storage (one
  // byte per tick at its own offset), and only then prints it.
  const logger = `
    E.connectSDCard(SPI1, D5);
    var S = require("Storage");
    var fs = require("fs");
    // Byte 0 marks the file; writing at offset 0 again would replace it.
    if (S.read("ticks") === undefined) S.write("ticks", "T", 0, 64);
    var n = S.read("ticks").split("\\xff")[0].length - 1;
    var ram = 0;
    print("up after " + n);
    setInterval(function () {
      n++; ram++;
      fs.appendFileSync("/log.txt", "line " + n + "\\n");
      S.write("ticks", String.fromCharCode(64 + n), n);
      print("wrote " + n);
    }, 5);`;

  test("Storage and SD keep exactly what completed calls wrote; RAM and timers are gone", async () => {
    const sd = temporaryDirectory();
    const storagePath = join(temporaryDirectory(), "flash.bin");
    const device = await createDevice({ sdPath: sd, storagePath });
    device.install(logger);
    let expected = 0;
    for (const cutAfter of [3, 7, 8, 12]) {
      device.boot();
      await device.waitForOutput(`wrote ${cutAfter}`);
      device.powerCut();
      const written = Number(/wrote (\d+)\n$/.exec(device.output)![1]);
      expect(written).toBe(cutAfter);
      expected = written;
      const lines = Array.from({ length: expected }, (_, i) => `line ${i + 1}\n`).join("");
      expect(readFileSync(join(sd, "log.txt"), "latin1")).toBe(lines);
      expect(device.storage.read("ticks")!.split("\xff")[0]).toBe(
        `T${Array.from({ length: expected }, (_, i) => String.fromCharCode(65 + i)).join("")}`,
      );
    }
    const settled = device.output;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(device.output).toBe(settled);
    device.boot();
    await device.waitForOutput(`up after ${expected}`);
    expect(device.eval("ram")).toBe(0);
  });

  test("a timer set before the cut never fires, and a new device on the same files sees the same data", async () => {
    const sd = temporaryDirectory();
    const storagePath = join(temporaryDirectory(), "flash.bin");
    const first = await createDevice({ sdPath: sd, storagePath });
    first.install(`
      E.connectSDCard(SPI1, D5);
      require("fs").writeFileSync("/state.txt", "saved");
      require("Storage").write("state", "kept");
      setTimeout(function () { print("late timer"); require("Storage").write("late", "x"); }, 20);
      print("ready");`);
    first.boot();
    await first.waitForOutput("ready");
    first.powerCut();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(first.output).not.toContain("late timer");
    await first.close();

    const second = await createDevice({ sdPath: sd, storagePath });
    expect(second.storage.read("state")).toBe("kept");
    expect(second.storage.read("late")).toBeUndefined();
    expect(readFileSync(join(sd, "state.txt"), "latin1")).toBe("saved");
  });

  test("promise jobs queued before the cut never run", async () => {
    const device = await bootDevice('var go; new Promise(function (resolve) { go = resolve; }).then(function () { print("after cut"); });');
    device.eval("go()");
    device.powerCut();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(device.output).not.toContain("after cut");
    expect(() => device.eval("1")).toThrow("The device is off");
  });

  test("the device keeps counting boots across cuts", async () => {
    const device = await createDevice();
    device.install('var S = require("Storage"); var b = (S.readJSON("b", true) || 0) + 1; S.writeJSON("b", b); print("boot " + b);');
    for (let i = 0; i < 3; i++) {
      device.boot();
      device.powerCut();
    }
    await printedTimes(device, "boot ", 3);
    expect(device.output).toBe("boot 1\nboot 2\nboot 3\n");
  });
});
