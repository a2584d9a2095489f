// `require("net")` and `require("tls")` of an emulated device: client sockets
// over real Node sockets with the engine's semantics (profile, "Sockets").
import { TLS_SESSION_VARIABLES } from "../../engine/profile.js";
import type { DeviceRuntime } from "../runtime.js";
import { Connection, type SocketKind } from "./connection.js";
import { EngineInternalError, engineTypeName } from "./engine-errors.js";
import type { EngineSocket } from "./engine-socket.js";
import { NetworkStack, type SocketMonitor } from "./network-stack.js";
import { loadClientCredentials } from "./tls-credentials.js";
import { Transport, type TransportTarget } from "./transport.js";

export type { EngineSocket } from "./engine-socket.js";
export type { SocketReport } from "./connection.js";
export type { SocketMonitor } from "./network-stack.js";
export type { SocketErrorDetails } from "./engine-errors.js";
export { EngineInternalError } from "./engine-errors.js";

/**
 * Returns undefined when the engine only prints an error (options that are
 * not an object, a callback that is not a function).
 */
export type EngineConnect = (options: unknown, callback?: unknown) => EngineSocket | undefined;

export interface EngineNet {
  connect: EngineConnect;
  createServer(): never;
}

export interface EngineTls {
  connect: EngineConnect;
}

export interface NetModules {
  net: EngineNet;
  tls: EngineTls;
  /** Host-side inspection of this boot's sockets. */
  monitor: SocketMonitor;
}

export function createNetModules(runtime: DeviceRuntime): NetModules {
  const stack = new NetworkStack(runtime);

  function connect(kind: SocketKind, options: unknown, callback: unknown): EngineSocket | undefined {
    const request = readRequest(kind, options, callback, runtime);
    if (!request) return undefined;
    const { target, onConnect } = request;
    let transport: Transport;
    let release = (): void => {};
    if (kind === "tls") {
      const credentials = loadClientCredentials(options as object, runtime);
      reserveTlsSession(runtime);
      release = () => runtime.variables.release(TLS_SESSION_VARIABLES);
      transport = Transport.secure(target, credentials, () => stack.wake());
    } else {
      transport = Transport.plain(target, () => stack.wake());
    }
    const connection = new Connection(stack, kind, target, transport, release, onConnect);
    stack.add(connection);
    return connection.socket;
  }

  return {
    net: {
      connect: (options, callback) => connect("net", options, callback),
      createServer: () => {
        throw new Error("net.createServer is not emulated: the device emulator opens client sockets only");
      },
    },
    tls: { connect: (options, callback) => connect("tls", options, callback) },
    monitor: stack,
  };
}

interface ConnectRequest {
  target: TransportTarget;
  onConnect: ((...args: unknown[]) => unknown) | undefined;
}

/** Reads connect() arguments as jswrap_net_connect and clientRequestConnect do. */
function readRequest(
  kind: SocketKind,
  options: unknown,
  callback: unknown,
  runtime: DeviceRuntime,
): ConnectRequest | undefined {
  if (typeof options === "string") {
    throw new TypeError(`${kind}.connect("${options}"): the emulator takes only an options object {host, port}`);
  }
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    runtime.print(`ERROR: Expecting Options to be an Object but it was ${engineTypeName(options)}\n`);
    return undefined;
  }
  if (callback !== undefined && typeof callback !== "function") {
    runtime.print(`ERROR: Expecting Callback Function but got ${engineTypeName(callback)}\n`);
    return undefined;
  }
  const { host, port } = options as { host?: unknown; port?: unknown };
  // The engine connects to 127.0.0.1 without a host, reads "localhost" as
  // 127.0.0.1 itself, and speaks IPv4 only.
  const address = host === undefined || host === "localhost" ? "127.0.0.1" : String(host);
  let portNumber = Math.trunc(Number(port)) & 0xffff;
  if (kind === "tls" && portNumber === 0) portNumber = 443;
  return { target: { host: address, port: portNumber }, onConnect: callback as ConnectRequest["onConnect"] };
}

/**
 * A TLS session takes TLS_SESSION_VARIABLES of the variable store (mbedtls
 * allocates its record buffers there; profile, "TLS memory"). When they do
 * not fit, mbedtls_ssl_setup fails and the engine's tls.connect throws, with
 * the message of network.c (ssl_newSocketData) and mbedtls' ALLOC_FAILED text.
 */
function reserveTlsSession(runtime: DeviceRuntime): void {
  if (runtime.variables.tryReserve(TLS_SESSION_VARIABLES)) return;
  throw new EngineInternalError("mbedtls_ssl_setup: Not enough memory");
}
