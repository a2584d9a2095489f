// What the Espruino 2v29 engine accepts, as measured on the engine itself
// (docs/engine.md). The
// compatibility gate and the device emulator both read these tables, so a
// fact changes in one place.

/** Global names the engine does not define at all. */
export const MISSING_GLOBALS: readonly string[] = [
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "WeakRef",
  "Symbol",
  "Proxy",
  "Reflect",
  "RangeError",
  "TextEncoder",
  "TextDecoder",
  "setImmediate",
  "queueMicrotask",
  "structuredClone",
  "BigInt",
  "BigInt64Array",
  "BigUint64Array",
  "AggregateError",
  "EvalError",
  "URIError",
  "Intl",
  "FinalizationRegistry",
  "SharedArrayBuffer",
  "Atomics",
  "WebAssembly",
  "encodeURI",
  "decodeURI",
  "escape",
  "unescape",
];

/** Static members of built-in objects the engine lacks: `Array.from` etc. */
export const MISSING_STATICS: Readonly<Record<string, readonly string[]>> = {
  Array: ["from", "of"],
  Object: [
    "freeze",
    "seal",
    "preventExtensions",
    "isFrozen",
    "isSealed",
    "isExtensible",
    "is",
    "hasOwn",
    "getOwnPropertySymbols",
  ],
  Number: [
    "isFinite",
    "isInteger",
    "isNaN",
    "isSafeInteger",
    "parseFloat",
    "parseInt",
    "EPSILON",
    "MAX_SAFE_INTEGER",
    "MIN_SAFE_INTEGER",
  ],
  Math: [
    "trunc",
    "imul",
    "clz32",
    "fround",
    "hypot",
    "cbrt",
    "expm1",
    "log1p",
    "log2",
    "log10",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "acosh",
    "atanh",
  ],
  Promise: ["race", "allSettled", "any"],
  String: ["fromCodePoint", "raw"],
  Date: ["UTC"],
  ArrayBuffer: ["isView"],
  Error: ["captureStackTrace", "stackTraceLimit"],
  process: ["nextTick"],
};

/**
 * Instance methods the engine lacks, by the built-in that would own them.
 * Only names that no engine built-in has under the same name are listed, so a
 * call `x.flat()` can be reported whatever `x` is.
 */
export const MISSING_METHODS: Readonly<Record<string, string>> = {
  flat: "Array#flat",
  flatMap: "Array#flatMap",
  finally: "Promise#finally",
};

/**
 * Built-ins whose methods are not reachable through their prototype object:
 * `Array.prototype.slice` is undefined on the engine while `[].slice` works.
 * Writing to these prototypes works (polyfills attach there); reading a
 * built-in method back does not.
 */
export const HIDDEN_PROTOTYPES: readonly string[] = [
  "Array",
  "String",
  "Function",
  "Number",
  "Boolean",
  "Promise",
  "ArrayBuffer",
  "DataView",
  "Uint8Array",
  "Int8Array",
  "Uint8ClampedArray",
  "Uint16Array",
  "Int16Array",
  "Uint32Array",
  "Int32Array",
  "Float32Array",
  "Float64Array",
];

/** The only built-in methods readable through `Object.prototype`. */
export const OBJECT_PROTOTYPE_VISIBLE: readonly string[] = ["hasOwnProperty", "toString", "valueOf"];

/**
 * Names the engine's parser treats as reserved: a binding or reference with
 * one of these names breaks. A minifier must never mangle to them.
 */
export const RESERVED_NAMES: readonly string[] = ["of", "let", "static", "undefined"];

/**
 * Reserved names a program may still read: `undefined` is the engine's own
 * global, only declaring or assigning it breaks.
 */
export const RESERVED_NAMES_READABLE: readonly string[] = ["undefined"];

/** Globals the engine itself occupies: a program must not declare them. */
export const TAKEN_GLOBALS: Readonly<Record<string, string>> = {
  ssl: "the engine's TLS code keeps its state in a global named `ssl`",
};

/** Regular-expression features the engine parses wrongly or not at all. */
export const REGEXP_FLAGS_SUPPORTED = "gi";

/**
 * Letters and digits that mean something after `\` in the engine's regular
 * expressions (read from its matcher, src/jswrap_regexp.c): the classes
 * `\d \D \s \S \w \W`, the control characters `\f \n \r \t \v`, `\0` and
 * `\xHH`. Escaped punctuation (`\.`, `\/`) matches itself. Other escapes do
 * not work: `\b` outside a character class matches a backspace instead of a
 * word boundary, `\B`, `\cX` and `\uXXXX` match the plain letter, and
 * backreferences `\1`..`\9` throw "Backreferences not supported".
 */
export const REGEXP_ESCAPES_SUPPORTED = "dDsSwWfnrtv0x";

/** Variable-store figures (13 to 14 bytes each). */
export const VARIABLE_STORE = {
  /** A no-PSRAM ESP32 with Bluetooth off. */
  noPsram: 4095,
  /** A no-PSRAM ESP32 with Bluetooth on. */
  noPsramBluetooth: 2500,
  /** An ESP32 with PSRAM. */
  psram: 16383,
  /** Bytes per variable, rounded up. */
  bytesPerVariable: 14,
} as const;

/** Variables one open TLS session holds (2,360 of 4,095, measured). */
export const TLS_SESSION_VARIABLES = 2360;

/** At most this many bytes leave a socket per idle pass of the engine. */
export const SOCKET_BYTES_PER_PASS = 536;

/** Default budget of unsent socket output before the engine runs out of memory. */
export const DEFAULT_SOCKET_BUFFER_BUDGET = 4096;

/** Longest path the engine's file system accepts. */
export const MAX_PATH_LENGTH = 64;

/** Longest Storage file name. */
export const MAX_STORAGE_NAME_LENGTH = 28;

/** A `ca`/`key`/`cert` string of at most this many chars is a PEM file name on the SD card. */
export const TLS_FILENAME_MAX = 100;

/** The fixed SNI name the engine's TLS sends instead of the host name. */
export const TLS_SNI_NAME = "mbed TLS Server 1";

/**
 * The engine's socket error codes and texts (libs/network/socketerrors.c):
 * an `error` event carries `{code, message}` from this table. -1 ("connection
 * closed") is never reported as an error.
 */
export const SOCKET_ERRORS = {
  closed: { code: -1, message: "connection closed" },
  outOfMemory: { code: -2, message: "out of memory" },
  timeout: { code: -3, message: "timeout" },
  noRoute: { code: -4, message: "no route" },
  busy: { code: -5, message: "busy" },
  notFound: { code: -6, message: "not found" },
  maxSockets: { code: -7, message: "max sockets" },
  unsentData: { code: -8, message: "unsent data" },
  connectionReset: { code: -9, message: "connection reset" },
  unknown: { code: -10, message: "unknown error" },
  noConnection: { code: -11, message: "no connection" },
  badArgument: { code: -12, message: "bad argument" },
  sslHandshakeFailed: { code: -13, message: "SSL handshake failed" },
  invalidSslData: { code: -14, message: "invalid SSL data" },
  noResponse: { code: -15, message: "no response" },
} as const;

/**
 * The newest TLS version the engine speaks: its mbedtls 2.x has no TLS 1.3.
 * (The ESP32 build links ESP-IDF's mbedtls, with ECDHE and SNI; the Linux
 * build's own config does RSA and DHE-RSA key exchange only and sends no SNI.)
 */
export const TLS_MAX_VERSION = "TLSv1.2";

/**
 * Members an instance of each built-in lacks on the engine: reading
 * `[].lastIndexOf` or `new Date().getUTCHours` gives undefined (measured on
 * 2v29 by reading, through an instance, every member V8 has). `TypedArray`
 * stands for what all typed arrays share.
 */
export const MISSING_INSTANCE_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  Array: [
    "at", "copyWithin", "entries", "findLast", "findLastIndex", "flat", "flatMap", "keys",
    "lastIndexOf", "reduceRight", "toLocaleString", "toReversed", "toSorted", "toSpliced", "values", "with",
  ],
  String: [
    "anchor", "at", "big", "blink", "bold", "codePointAt", "fixed", "fontcolor", "fontsize",
    "isWellFormed", "italics", "link", "localeCompare", "matchAll", "normalize", "search", "small",
    "strike", "sub", "sup", "toLocaleLowerCase", "toLocaleUpperCase", "toWellFormed", "trimEnd",
    "trimLeft", "trimRight", "trimStart",
  ],
  Number: ["toExponential", "toLocaleString", "toPrecision"],
  TypedArray: [
    "at", "copyWithin", "entries", "findLast", "findLastIndex", "keys", "lastIndexOf", "reduceRight",
    "toLocaleString", "toReversed", "toSorted", "values", "with",
  ],
  Promise: ["finally"],
  Object: [
    "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__",
    "isPrototypeOf", "propertyIsEnumerable", "toLocaleString",
  ],
  Date: [
    "getUTCDate", "getUTCDay", "getUTCFullYear", "getUTCHours", "getUTCMilliseconds", "getUTCMinutes",
    "getUTCMonth", "getUTCSeconds", "getYear", "setUTCDate", "setUTCFullYear", "setUTCHours",
    "setUTCMilliseconds", "setUTCMinutes", "setUTCMonth", "setUTCSeconds", "setYear", "toDateString",
    "toGMTString", "toLocaleDateString", "toLocaleString", "toLocaleTimeString", "toTimeString",
  ],
  ArrayBuffer: ["maxByteLength", "resizable", "resize", "slice"],
  DataView: ["getBigInt64", "getBigUint64", "setBigInt64", "setBigUint64"],
};
