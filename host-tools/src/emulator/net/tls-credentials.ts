// The `ca`, `cert` and `key` options of tls.connect, read as the engine reads
// them (libs/network/network.c: decode_certificate_var, load_cert_file,
// ssl_load_*) and turned into PEM for Node. The engine's mbedtls is built
// without PEM parsing: it takes DER bytes, or a short string naming a PEM
// file on the SD card; a raw PEM string fails with "Invalid format".
import { X509Certificate, createPrivateKey } from "node:crypto";
import { TLS_FILENAME_MAX } from "../../engine/profile.js";
import type { DeviceRuntime } from "../runtime.js";
import { EngineInternalError } from "./engine-errors.js";
import type { ClientCredentials } from "./transport.js";

type CredentialField = "ca" | "cert" | "key";

/** The mbedtls call the engine names when a field fails to parse. */
const PARSER: Record<CredentialField, string> = {
  ca: "mbedtls_x509_crt_parse of 'ca'",
  cert: "mbedtls_x509_crt_parse of 'cert'",
  key: "mbedtls_pk_parse_key",
};

/** ASN.1 SEQUENCE, the first byte of every DER certificate and key. */
const DER_SEQUENCE = 0x30;

/**
 * Reads the fields in the engine's order (ca, cert, key) and throws the
 * engine's InternalError for the first that does not parse. `ca` is parsed
 * and then unused, as on the engine, which never verifies the server.
 */
export function loadClientCredentials(options: object, runtime: DeviceRuntime): ClientCredentials {
  const ca = readField(options, "ca", runtime);
  if (ca) certificatePem(ca, "ca");
  const certBytes = readField(options, "cert", runtime);
  const cert = certBytes && certificatePem(certBytes, "cert");
  const keyBytes = readField(options, "key", runtime);
  const key = keyBytes && privateKeyPem(keyBytes);
  return key !== undefined && cert !== undefined ? { key, cert } : {};
}

/** The field's bytes; undefined when the options do not have it at all. */
function readField(options: object, field: CredentialField, runtime: DeviceRuntime): Buffer | undefined {
  // The engine looks for the property itself: `key: undefined` is present,
  // and then fails to parse as empty data.
  if (!Object.prototype.hasOwnProperty.call(options, field)) return undefined;
  const value: unknown = (options as Record<string, unknown>)[field];
  if (typeof value === "function") return bytesOf(value());
  if (typeof value === "string" && value.length <= TLS_FILENAME_MAX) return pemFileOrName(value, runtime);
  return bytesOf(value);
}

/**
 * A short string is a file name on the SD card. A missing file only warns;
 * the name itself is then parsed as the data, and fails.
 */
function pemFileOrName(name: string, runtime: DeviceRuntime): Buffer {
  const text = runtime.readSdFile(name);
  if (text === undefined || text === "") {
    runtime.print(`WARNING: File ${JSON.stringify(name)} not found\n`);
    return Buffer.from(name, "latin1");
  }
  return Buffer.from(firstPemBody(text), "base64");
}

/**
 * The engine's PEM reader: the base64 from the first line break to the next
 * '-', line breaks dropped. Only the first block of a file is read.
 */
function firstPemBody(text: string): string {
  const start = text.indexOf("\n");
  if (start < 0) return "";
  const end = text.indexOf("-", start + 1);
  return text.substring(start + 1, end < 0 ? text.length : end).replace(/[\r\n]/g, "");
}

function bytesOf(value: unknown): Buffer {
  if (typeof value === "string") return Buffer.from(value, "latin1");
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Object.prototype.toString.call(value) === "[object ArrayBuffer]") return Buffer.from(value as ArrayBuffer);
  if (Array.isArray(value)) return Buffer.from(value.map((byte) => Number(byte) & 0xff));
  return Buffer.alloc(0);
}

function certificatePem(der: Buffer, field: "ca" | "cert"): string {
  checkDer(der, field);
  try {
    return new X509Certificate(der).toString();
  } catch {
    throw parseFailure(field, "Invalid format");
  }
}

/** mbedtls_pk_parse_key takes PKCS#8, PKCS#1 (RSA) and SEC1 (EC) DER keys. */
function privateKeyPem(der: Buffer): string {
  checkDer(der, "key");
  for (const type of ["pkcs8", "pkcs1", "sec1"] as const) {
    try {
      const key = createPrivateKey({ key: der, format: "der", type });
      return key.export({ format: "pem", type: "pkcs8" }).toString();
    } catch {
      continue;
    }
  }
  throw parseFailure("key", "Invalid format");
}

function checkDer(bytes: Buffer, field: CredentialField): void {
  // Empty data never reaches mbedtls; the engine reports its -1 placeholder.
  if (bytes.length === 0) throw parseFailure(field, "-0x1");
  if (bytes[0] !== DER_SEQUENCE) throw parseFailure(field, "Invalid format");
}

function parseFailure(field: CredentialField, detail: string): EngineInternalError {
  return new EngineInternalError(`HTTPS init failed! ${PARSER[field]}: ${detail}`);
}
