// http and https URLs as the device meets them: presigned S3 URLs whose
// query (with its %-escapes) is part of the signature, so the request target
// is taken byte for byte, never decoded or re-encoded.
import { digits } from "./digits.js";

export interface HttpUrl {
  tls: boolean;
  host: string;
  port: number;
  /** `host[:port]` exactly as written in the URL: the Host header, which SigV4 signs. */
  authority: string;
  /** Path and query for the request line; "/" when the URL has no path. */
  target: string;
}

/** Throws an Error that names the URL and what is wrong with it. */
export function parseUrl(url: string): HttpUrl {
  const bad = (why: string): Error => new Error("bad URL " + url.slice(0, 50) + ": " + why);
  const colon = url.indexOf("://");
  const scheme = url.substring(0, colon).toLowerCase();
  const tls = scheme === "https";
  if (!tls && scheme !== "http") throw bad("not http(s)");
  let end = colon + 3;
  while (end < url.length && "/?#".indexOf(url.charAt(end)) < 0) end++;
  const authority = url.slice(colon + 3, end);
  // Spaces and control bytes would break the request line; RFC 3986 allows none.
  for (let i = 0; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code < 33 || code > 126) throw bad("byte " + code + " at " + i + " is not %-escaped");
  }
  // User info and IPv6 literals never occur in S3 URLs.
  if (authority.indexOf("@") >= 0 || authority.charAt(0) === "[") throw bad("unsupported authority");
  const hostAndPort = authority.split(":");
  const host = hostAndPort[0];
  const port = hostAndPort.length > 1 ? digits(hostAndPort[1], 10) : tls ? 443 : 80;
  if (!host) throw bad("no host");
  if (port < 1 || port > 65535 || hostAndPort.length > 2) throw bad("bad port");
  const target = url.slice(end).split("#")[0];
  return { tls: tls, host: host, port: port, authority: authority, target: target.charAt(0) === "/" ? target : "/" + target };
}
