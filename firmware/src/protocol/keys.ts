// Object keys. A device names a key relative to the place the service gives
// it; the service maps the key into the bucket. Both sides check keys with
// this one function, so a device learns before it asks what the service
// would refuse.

export const MAX_KEY_LENGTH = 256;
export const DEFAULT_DEVICES_PREFIX = "devices";
export const DEFAULT_RELEASES_PREFIX = "releases";

/** Where a device's relative keys land in the bucket. */
export interface BucketLayout {
  /** Uploads go to `<devicesPrefix>/<dev>/<key>`. */
  devicesPrefix: string;
  /** Downloads come from `<releasesPrefix>/<key>`. */
  releasesPrefix: string;
}

/**
 * What is wrong with a relative key, as a sentence that says what to send
 * instead; undefined when the key is acceptable. A key may not name the
 * service's own folders: that would be an attempt at another device's path.
 */
export function keyProblem(key: string, layout: BucketLayout): string | undefined {
  const problem = pathProblem(key);
  if (problem !== undefined) return problem;
  if (startsWithFolder(key, layout.devicesPrefix) || startsWithFolder(key, layout.releasesPrefix)) {
    return "the key starts with the service's own folder (\"" + layout.devicesPrefix + "\" or \"" + layout.releasesPrefix + "\"): name it relative to your own folder";
  }
  return undefined;
}

/**
 * What is wrong with a relative path of folders and a name; undefined when
 * it is acceptable. Paths are printable ASCII only: the device's strings are
 * 8-bit, and the reply MAC covers the key, so both sides must see the same
 * bytes.
 */
export function pathProblem(key: string): string | undefined {
  if (key.length === 0) return "the key is empty: name the object, e.g. \"logs/0001.log\"";
  if (key.length > MAX_KEY_LENGTH) return "the key is " + key.length + " characters long; the limit is " + MAX_KEY_LENGTH;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 32 || code > 126) return "the key has a control or non-ASCII character at position " + i + ": use printable ASCII only";
    if (code === 92) return "the key has a backslash at position " + i + ": separate folders with \"/\"";
  }
  if (key.charAt(0) === "/") return "the key starts with \"/\": send a relative key such as \"logs/0001.log\"";
  const segments = key.split("/");
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.length === 0) return "the key has an empty folder name (\"//\" or a trailing \"/\"): name each folder";
    if (segment === "." || segment === "..") return "the key has a \"" + segment + "\" segment: keys cannot climb out of their folder";
  }
  return undefined;
}

/** Where a device's upload lands: `<devicesPrefix>/<dev>/<key>`. */
export function uploadObjectKey(layout: BucketLayout, device: string, key: string): string {
  return layout.devicesPrefix + "/" + device + "/" + key;
}

/** Where a download comes from: `<releasesPrefix>/<key>`. */
export function downloadObjectKey(layout: BucketLayout, key: string): string {
  return layout.releasesPrefix + "/" + key;
}

/** True when `key` is `folder` or lies inside it. */
export function startsWithFolder(key: string, folder: string): boolean {
  return key === folder || key.substring(0, folder.length + 1) === folder + "/";
}
