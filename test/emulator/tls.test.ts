import net from "node:net";
import tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  SOCKET_BYTES_PER_PASS,
  TLS_SESSION_VARIABLES,
  TLS_SNI_NAME,
  VARIABLE_STORE,
} from "../../host-tools/src/engine/profile.js";
import { createNetModules, EngineInternalError } from "../../host-tools/src/emulator/net/index.js";
import {
  TestDevice,
  allByteValues,
  binaryBody,
  closeServer,
  listen,
  makeTestPki,
  nextConnection,
  receiveAll,
  turn,
  watch,
  writeOnDrain,
  type TestPki,
} from "./net-harness.js";

let pki: TestPki;
const servers: tls.Server[] = [];
const plainServers: net.Server[] = [];
const devices: TestDevice[] = [];

beforeAll(() => {
  pki = makeTestPki();
});

afterAll(() => pki.dispose());

afterEach(async () => {
  for (const device of devices.splice(0)) if (!device.stopped) device.stop();
  await Promise.all([...servers.splice(0), ...plainServers.splice(0)].map(closeServer));
});

async function startServer(
  options: tls.TlsOptions = {},
  onSecure?: (socket: tls.TLSSocket) => void,
): Promise<{ server: tls.Server; port: number }> {
  const server = tls.createServer({ key: pki.server.keyPem, cert: pki.server.certPem, ...options }, onSecure);
  // A failed handshake is what some tests want; keep it off the test's error path.
  server.on("tlsClientError", () => {});
  servers.push(server);
  return { server, port: await listen(server) };
}

/** A server that accepts only the test device's certificate. */
function requireDeviceCertificate(): tls.TlsOptions {
  return { requestCert: true, rejectUnauthorized: true, ca: [pki.device.certPem] };
}

function boot(variables: number = VARIABLE_STORE.noPsram) {
  const device = new TestDevice({ variables });
  devices.push(device);
  return { device, ...createNetModules(device) };
}

function connected(socket: { on(event: string, listener: () => void): void }): Promise<void> {
  return new Promise((resolve) => socket.on("connect", () => resolve()));
}

describe("tls.connect on the emulated engine", () => {
  it("speaks TLS 1.2 with the engine's fixed SNI name, accepts any server certificate, and round-trips bytes", async () => {
    const { server, port } = await startServer({}, (socket) => socket.pipe(socket));
    const secured = nextConnection<tls.TLSSocket>(server, "secureConnection");
    const { tls: engineTls } = boot();
    const socket = engineTls.connect({ host: "127.0.0.1", port })!;
    const log = watch(socket);
    socket.write(allByteValues());

    const echoed = await log.received(256);
    const peer = await secured;
    expect(peer.servername).toBe(TLS_SNI_NAME);
    expect(peer.getProtocol()).toBe("TLSv1.2");
    expect(echoed).toBe(allByteValues());
    expect(log.events[0]).toBe("connect");
    socket.end();
    expect(await log.closed).toBe(false);
  });

  it("holds a session's variables while it is open and gives them back before close is reported", async () => {
    const { port } = await startServer();
    const { device, tls: engineTls } = boot(VARIABLE_STORE.noPsram);
    const first = engineTls.connect({ host: "127.0.0.1", port })!;
    expect(device.variables.usage).toBe(TLS_SESSION_VARIABLES);

    let second: unknown;
    try {
      engineTls.connect({ host: "127.0.0.1", port });
    } catch (error) {
      second = error;
    }
    expect(second).toBeInstanceOf(EngineInternalError);
    expect(String(second)).toBe("InternalError: mbedtls_ssl_setup: Not enough memory");
    expect(device.variables.usage).toBe(TLS_SESSION_VARIABLES);

    let usageAtClose: number | undefined;
    const closed = new Promise<void>((resolve) =>
      first.on("close", () => {
        usageAtClose = device.variables.usage;
        resolve();
      }),
    );
    await connected(first);
    first.end();
    await closed;
    expect(usageAtClose).toBe(0);

    const third = engineTls.connect({ host: "127.0.0.1", port })!;
    await connected(third);
    expect(device.variables.usage).toBe(TLS_SESSION_VARIABLES);
  });

  it("opens two sessions at once on a board with PSRAM", async () => {
    const { server, port } = await startServer();
    const { device, tls: engineTls } = boot(VARIABLE_STORE.psram);
    let handshakes = 0;
    const bothSecured = new Promise<void>((resolve) =>
      server.on("secureConnection", () => {
        handshakes += 1;
        if (handshakes === 2) resolve();
      }),
    );
    const sockets = [engineTls.connect({ host: "127.0.0.1", port })!, engineTls.connect({ host: "127.0.0.1", port })!];

    await bothSecured;
    expect(device.variables.usage).toBe(2 * TLS_SESSION_VARIABLES);
    const logs = sockets.map((socket) => watch(socket));
    for (const socket of sockets) socket.end();
    await Promise.all(logs.map((log) => log.closed));
    expect(device.variables.usage).toBe(0);
  });

  it("authenticates with a DER key and certificate given as binary strings", async () => {
    const { server, port } = await startServer(requireDeviceCertificate(), (socket) => socket.end("welcome"));
    const secured = nextConnection<tls.TLSSocket>(server, "secureConnection");
    const { tls: engineTls } = boot();
    const log = watch(
      engineTls.connect({ host: "127.0.0.1", port, ca: pki.server.certDer, key: pki.device.keyDer, cert: pki.device.certDer })!,
    );

    const peer = await secured;
    expect(peer.authorized).toBe(true);
    expect(peer.getPeerCertificate().subject.CN).toBe("ferry-test-device");
    expect(await log.received(7)).toBe("welcome");
  });

  it("reads a key and certificate named by short strings as PEM files on the SD card", async () => {
    const { server, port } = await startServer(requireDeviceCertificate(), (socket) => socket.end("welcome"));
    const secured = nextConnection<tls.TLSSocket>(server, "secureConnection");
    const { device, tls: engineTls } = boot();
    device.sdCard.set("certs/device.key", pki.device.keyPem);
    device.sdCard.set("certs/device.crt", pki.device.certPem);
    const log = watch(engineTls.connect({ host: "127.0.0.1", port, key: "certs/device.key", cert: "certs/device.crt" })!);

    expect((await secured).authorized).toBe(true);
    expect(await log.received(7)).toBe("welcome");
  });

  it("throws the engine's parse errors for raw PEM strings, without taking variables", () => {
    const { device, tls: engineTls } = boot();
    const attempt = (options: object): string => {
      try {
        engineTls.connect({ host: "127.0.0.1", port: 443, ...options });
      } catch (error) {
        expect(error).toBeInstanceOf(EngineInternalError);
        return String(error);
      }
      return "no error";
    };

    expect(attempt({ key: pki.device.keyPem })).toBe("InternalError: HTTPS init failed! mbedtls_pk_parse_key: Invalid format");
    expect(attempt({ cert: pki.device.certPem })).toBe(
      "InternalError: HTTPS init failed! mbedtls_x509_crt_parse of 'cert': Invalid format",
    );
    expect(attempt({ ca: pki.server.certPem })).toBe(
      "InternalError: HTTPS init failed! mbedtls_x509_crt_parse of 'ca': Invalid format",
    );
    expect(attempt({ key: undefined })).toBe("InternalError: HTTPS init failed! mbedtls_pk_parse_key: -0x1");
    expect(device.variables.usage).toBe(0);
  });

  it("warns about a missing SD file and then fails to parse its name", () => {
    const { device, tls: engineTls } = boot();

    expect(() => engineTls.connect({ host: "127.0.0.1", port: 443, cert: "missing.crt" })).toThrow(
      "HTTPS init failed! mbedtls_x509_crt_parse of 'cert': Invalid format",
    );
    expect(device.console).toEqual(['WARNING: File "missing.crt" not found\n']);
  });

  it("shows a handshake the server rejects as connect, drain, a plain close and an uncaught undefined", async () => {
    const { port } = await startServer(requireDeviceCertificate());
    const { device, tls: engineTls } = boot();
    const log = watch(engineTls.connect({ host: "127.0.0.1", port })!);

    expect(await log.closed).toBe(false);
    // The engine reports connect once TCP is up, before the handshake ends.
    expect(log.events).toEqual(["connect", "drain", "end", "close(false)"]);
    expect(device.uncaught).toEqual([undefined]);
    expect(device.variables.usage).toBe(0);
  });

  it("treats a server that accepts TCP and hangs up as a failed handshake", async () => {
    const server = net.createServer((socket) => socket.destroy());
    plainServers.push(server);
    const port = await listen(server);
    const { device, tls: engineTls } = boot();
    const log = watch(engineTls.connect({ host: "127.0.0.1", port })!);

    expect(await log.closed).toBe(false);
    expect(log.events).toEqual(["connect", "drain", "end", "close(false)"]);
    expect(device.uncaught).toEqual([undefined]);
  });

  it("reports output stuck behind a failed handshake as error -8 'unsent data'", async () => {
    const { port } = await startServer(requireDeviceCertificate());
    const { tls: engineTls } = boot();
    const socket = engineTls.connect({ host: "127.0.0.1", port })!;
    const log = watch(socket);
    socket.write("CONNECT");

    expect(await log.closed).toBe(true);
    expect(log.events).toEqual(["connect", "error", "end", "close(true)"]);
    expect(log.errors).toEqual([{ code: -8, message: "unsent data" }]);
  });

  it("cannot talk to a TLS 1.3-only server: the engine's mbedtls stops at TLS 1.2", async () => {
    const { port } = await startServer({ minVersion: "TLSv1.3" });
    const { device, tls: engineTls } = boot();
    const log = watch(engineTls.connect({ host: "127.0.0.1", port })!);

    expect(await log.closed).toBe(false);
    expect(log.data).toEqual([]);
    expect(device.uncaught).toEqual([undefined]);
  });

  it("talks to a server with an ECDSA certificate, as the ESP32's ESP-IDF mbedtls does", async () => {
    const { port } = await startServer({ key: pki.ecServer.keyPem, cert: pki.ecServer.certPem }, (socket) =>
      socket.end("ec"),
    );
    const { tls: engineTls } = boot();
    const log = watch(engineTls.connect({ host: "127.0.0.1", port })!);

    expect(await log.received(2)).toBe("ec");
    expect(await log.closed).toBe(false);
  });

  it("uploads 200 KB written 2 KB per drain byte for byte in chunks of at most 536 bytes", async () => {
    const { server, port } = await startServer();
    const secured = nextConnection<tls.TLSSocket>(server, "secureConnection");
    const { device, tls: engineTls, monitor } = boot();
    const body = binaryBody(200 * 1024);
    const socket = engineTls.connect({ host: "127.0.0.1", port })!;
    const log = watch(socket);
    writeOnDrain(socket, body, 2048);
    const received = receiveAll(await secured);

    expect(await log.closed).toBe(false);
    expect((await received).equals(Buffer.from(body, "latin1"))).toBe(true);
    expect(device.outOfMemoryReasons).toEqual([]);
    expect(monitor.describe(socket)!.largestChunk).toBeLessThanOrEqual(SOCKET_BYTES_PER_PASS);
  });

  it("drops a session on a power cut without events and lets the server see the close", async () => {
    const { server, port } = await startServer();
    const secured = nextConnection<tls.TLSSocket>(server, "secureConnection");
    const { device, tls: engineTls, monitor } = boot();
    const socket = engineTls.connect({ host: "127.0.0.1", port })!;
    const log = watch(socket);
    const peer = await secured;
    const peerClosed = new Promise<void>((resolve) => peer.on("close", () => resolve()));
    peer.write("data the device will never see");
    const before = [...log.events];

    device.stop();
    await peerClosed;
    await turn();

    expect(log.events).toEqual(before);
    expect(log.data).toEqual([]);
    expect(monitor.open()).toEqual([]);
  });
});
