// How the engine reports socket trouble to device code: thrown InternalErrors
// for what fails inside connect(), `{code, message}` error events for what
// fails later (codes from SOCKET_ERRORS in the profile).
import { SOCKET_ERRORS } from "../../engine/profile.js";

/**
 * The engine's InternalError (its jsExceptionHere with JSET_INTERNALERROR).
 * V8 has no such class; this one carries the name the engine prints, so an
 * uncaught one reads `Uncaught InternalError: ...` as on the device.
 */
export class EngineInternalError extends Error {
  override name = "InternalError";
}

/** The argument of a socket `error` event. */
export interface SocketErrorDetails {
  code: number;
  message: string;
}

export function socketError(entry: { readonly code: number; readonly message: string }): SocketErrorDetails {
  return { code: entry.code, message: entry.message };
}

/**
 * The error a failed connect reports. On the engine (Linux and ESP32 drivers
 * alike) DNS and TCP connect block inside `connect()`, which then throws
 * `InternalError: Unable to create socket` (after printing `ERROR: Connect
 * failed (err 111)`) or `InternalError: Unable to locate host`, and no socket
 * is returned. Node connects asynchronously, so the emulator cannot throw
 * there: it reports the failure as the engine documents it for its other
 * network drivers, an `error` event (-9 refused or reset, -6 DNS, -3
 * timeout, -4 no route), then `end` and `close(true)`. Device code must
 * handle both: wrap connect() in try/catch and listen for error and close.
 */
export function connectFailure(nodeCode: string | undefined): SocketErrorDetails {
  switch (nodeCode) {
    case "ECONNREFUSED":
    case "ECONNRESET":
      return socketError(SOCKET_ERRORS.connectionReset);
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
    case "EAI_NONAME":
      return socketError(SOCKET_ERRORS.notFound);
    case "ETIMEDOUT":
      return socketError(SOCKET_ERRORS.timeout);
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return socketError(SOCKET_ERRORS.noRoute);
    default:
      return socketError(SOCKET_ERRORS.unknown);
  }
}

/** The type name the engine prints for a value in its `%t` messages. */
export function engineTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "Array";
  switch (typeof value) {
    case "string":
      return "String";
    case "number":
      return "Number";
    case "boolean":
      return "Boolean";
    case "function":
      return "Function";
    case "undefined":
      return "undefined";
    default:
      return "Object";
  }
}
