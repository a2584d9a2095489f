// http and https URLs as the device meets them: presigned S3 URLs whose
// query (with its %-escapes) is part of the signature, so the request target
// is taken byte for byte, never decoded or re-encoded.
import type { ConnectTarget } from "../net/connection.js";
import { digits } from "./digits.js";

/** A connection target (`tls` set for https, with no client credentials: S3 takes none) plus what the request line needs. */
export interface HttpUrl extends ConnectTarget {
  /** `host[:port]` exactly as written in the URL: the Host header, which SigV4 signs. */
  authority: string;
  /** Path and query for the request line; "/" when the URL has no path. */
  target: string;
}

/** Throws an Error that names the URL and what is wrong with it. */
export function parseUrl(url: string): HttpUrl {
  const bad = (why: string): Error => new Error("bad URL " + url.slice(0, 50) + ": " + why);
  const colon = url.indexOf("://");
  // substring, not slice: without "://" (-1) the scheme is "", not the URL less a byte.
  const scheme = url.substring(0, colon).toLowerCase();
  const https = scheme === "https";
  let end = colon + 3;
  if (!https && scheme !== "http") throw bad("not http(s)");
  // Spaces and control bytes would break the request line; RFC 3986 allows none.
  for (let i = 0; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code < 33 || code > 126) throw bad("byte " + code + " at " + i + " is not %-escaped");
  }
  while (end < url.length && "/?#".indexOf(url.charAt(end)) < 0) end++;
  const authority = url.slice(colon + 3, end);
  // `host:port`, the scheme's port appended for when the URL gives none.
  const parts = (authority + ":" + (https ? 443 : 80)).split(":");
  const port = digits(parts[1], 10);
  // User info and IPv6 literals never occur in S3 URLs. They are not split
  // off: a password or an IPv6 literal fails the port check, and a host
  // name with a user name in it cannot resolve.
  if (!parts[0]) throw bad("no host");
  if (port < 1 || port > 65535 || parts.length > 3) throw bad("bad port");
  return {
    tls: https ? {} : undefined,
    host: parts[0],
    port: port,
    authority: authority,
    target: (url.charAt(end) === "/" ? "" : "/") + url.slice(end).split("#")[0],
  };
}
