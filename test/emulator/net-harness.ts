// A bare DeviceRuntime for the socket modules, plus real Node peers and a
// test PKI made with the openssl CLI in a temporary directory.
import { execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BoardDefinition } from "../../host-tools/src/boards/types.js";
import { DEFAULT_SOCKET_BUFFER_BUDGET, VARIABLE_STORE } from "../../host-tools/src/engine/profile.js";
import { EngineOutOfMemory, VariableStore, type DeviceRuntime } from "../../host-tools/src/emulator/runtime.js";
import { listenOnLoopback } from "../support/ports.js";

export class TestDevice implements DeviceRuntime {
  readonly board: BoardDefinition;
  readonly variables: VariableStore;
  readonly socketBufferBudget: number;
  readonly console: string[] = [];
  readonly uncaught: unknown[] = [];
  readonly outOfMemoryReasons: string[] = [];
  readonly sdCard = new Map<string, string>();
  private readonly cleanups: (() => void)[] = [];
  private isStopped = false;

  constructor(options: { variables?: number; socketBufferBudget?: number } = {}) {
    const variables = options.variables ?? VARIABLE_STORE.noPsram;
    this.board = testBoard(variables);
    this.variables = new VariableStore(variables);
    this.socketBufferBudget = options.socketBufferBudget ?? DEFAULT_SOCKET_BUFFER_BUDGET;
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  dispatch(fn: () => void): void {
    if (this.isStopped) return;
    try {
      fn();
    } catch (error) {
      this.uncaught.push(error);
      this.console.push(`Uncaught ${String(error)}\n`);
    }
  }

  print(text: string): void {
    this.console.push(text);
  }

  outOfMemory(reason: string): never {
    this.outOfMemoryReasons.push(reason);
    throw new EngineOutOfMemory(reason);
  }

  onStop(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  readSdFile(path: string): string | undefined {
    return this.sdCard.get(path);
  }

  /** A power cut. */
  stop(): void {
    this.isStopped = true;
    for (const cleanup of this.cleanups) cleanup();
  }
}

function testBoard(variables: number): BoardDefinition {
  return {
    id: "test-board",
    name: "Test board",
    chip: "ESP32",
    module: "ESP32-WROOM-32",
    sources: [],
    flash: { size: 4 * 1024 * 1024, mode: "dio", frequency: "40m" },
    images: [],
    storage: { offset: "0x320000", size: 896 * 1024 },
    psram: variables > VARIABLE_STORE.noPsram,
    variables,
    tlsSessions: variables > VARIABLE_STORE.noPsram ? 2 : 1,
    sdCard: null,
    led: null,
  };
}

/** Everything a device socket reported, in order. */
export interface SocketLog {
  events: string[];
  data: string[];
  errors: { code: number; message: string }[];
  /** Resolves with close's hadError. */
  closed: Promise<boolean>;
  /** Resolves once this many characters of data have arrived. */
  received(length: number): Promise<string>;
}

/**
 * Listens to every engine socket event. Pass `connect: false` for a socket
 * made with a connect callback: on the engine a `connect` listener added to
 * such a socket replaces the callback.
 */
export function watch(
  socket: { on(event: string, listener: (...args: never[]) => void): void },
  options: { connect: boolean } = { connect: true },
): SocketLog {
  const log: Pick<SocketLog, "events" | "data" | "errors"> = { events: [], data: [], errors: [] };
  const waiters: { length: number; resolve: (data: string) => void }[] = [];
  const settle = (): void => {
    const all = log.data.join("");
    for (const waiter of waiters.filter((w) => all.length >= w.length)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(all);
    }
  };
  const received = (length: number): Promise<string> =>
    new Promise((resolve) => {
      waiters.push({ length, resolve });
      settle();
    });
  const closed = new Promise<boolean>((resolve) => {
    socket.on("close", (hadError: boolean) => {
      log.events.push(`close(${hadError})`);
      resolve(hadError);
    });
  });
  if (options.connect) socket.on("connect", () => log.events.push("connect"));
  socket.on("drain", () => log.events.push("drain"));
  socket.on("end", () => log.events.push("end"));
  socket.on("data", (data: string) => {
    log.events.push("data");
    log.data.push(data);
    settle();
  });
  socket.on("error", (error: { code: number; message: string }) => {
    log.events.push("error");
    log.errors.push(error);
  });
  return { ...log, closed, received };
}

/** A listening Node server on 127.0.0.1 and its port. */
export async function listen<T extends net.Server>(server: T): Promise<number> {
  await listenOnLoopback(server);
  return (server.address() as net.AddressInfo).port;
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on: bound, then released. */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

/** Collects everything a server-side socket receives until the peer ends or the socket closes. */
export function receiveAll(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => socket.on("close", () => resolve(Buffer.concat(chunks))));
}

/** The first connection a server accepts. */
export function nextConnection<S extends net.Socket>(server: net.Server, event = "connection"): Promise<S> {
  return new Promise((resolve) => server.once(event, resolve));
}

/** One turn of the host event loop. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Every byte value 0-255 as an engine (binary) string. */
/** A binary body with every byte value, different at each offset. */
export function binaryBody(length: number): string {
  let text = "";
  for (let i = 0; i < length; i += 1) text += String.fromCharCode((i * 31 + (i >> 8)) & 0xff);
  return text;
}

/**
 * Writes `body` in `chunk`-byte pieces, each on `drain`, then ends, as device
 * code must. The engine fires drain with connect when nothing is waiting:
 * that starts it.
 */
export function writeOnDrain(
  socket: { on(event: "drain", listener: () => void): void; write(data: string): boolean; end(): void },
  body: string,
  chunk: number,
): void {
  let offset = 0;
  socket.on("drain", () => {
    if (offset >= body.length) {
      socket.end();
      return;
    }
    socket.write(body.slice(offset, offset + chunk));
    offset += chunk;
  });
}

export function allByteValues(): string {
  let text = "";
  for (let code = 0; code < 256; code += 1) text += String.fromCharCode(code);
  return text;
}

export interface Identity {
  keyPem: string;
  certPem: string;
  /** DER as engine binary strings, as `atob(base64)` gives them on the device. */
  keyDer: string;
  certDer: string;
}

export interface TestPki {
  server: Identity;
  device: Identity;
  /** A server identity with an ECDSA key, which the engine's TLS cannot use. */
  ecServer: Identity;
  dispose(): void;
}

/** Self-signed identities made by the openssl CLI, kept in a temporary directory. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "ferry-net-test-"));
  const make = (name: string, keyArgs: string[]): Identity => {
    const keyFile = join(dir, `${name}.key`);
    const certFile = join(dir, `${name}.crt`);
    execFileSync("openssl", [
      "req", "-x509", ...keyArgs, "-nodes", "-keyout", keyFile, "-out", certFile,
      "-days", "1", "-subj", `/CN=${name}`,
    ], { stdio: "pipe" });
    const keyPem = readFileSync(keyFile, "utf8");
    const certPem = readFileSync(certFile, "utf8");
    const keyDer = createPrivateKey(keyPem).export({ format: "der", type: "pkcs8" }).toString("latin1");
    const certDer = new X509Certificate(certPem).raw.toString("latin1");
    return { keyPem, certPem, keyDer, certDer };
  };
  const pki = {
    server: make("ferry-test-server", ["-newkey", "rsa:2048"]),
    device: make("ferry-test-device", ["-newkey", "rsa:2048"]),
    ecServer: make("ferry-test-ec-server", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
  return pki;
}
